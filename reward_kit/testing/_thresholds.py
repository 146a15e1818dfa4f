"""Quality gates as short sentences: ``"mean >= 0.8"``, ``"ci_low >= 0.6"``, ``"accuracy >= 0.9"``.

A threshold names a statistic of the scored samples, a comparison and a number. Statistics:
``mean``, ``ci_low`` and ``ci_high`` (the 95% interval of the mean, as in ``summary.json``),
``pass_rate`` (share of all samples scoring at least ``pass_threshold``; one that could not be
scored does not pass), ``min``, ``max``, ``invalid`` (samples that could not be scored), and any
metric a reward reports, by name (its mean over the samples that report it).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = ["Threshold", "parse_threshold"]

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}
_PATTERN = re.compile(r"^\s*([A-Za-z_][\w.\-]*)\s*(>=|<=|==|>|<)\s*([-+]?[\d.]+(?:e[-+]?\d+)?)\s*$")


@dataclass(frozen=True)
class Threshold:
    """One gate: ``statistic operator value``."""

    statistic: str
    operator: str
    value: float

    def __str__(self) -> str:
        return f"{self.statistic} {self.operator} {self.value:g}"

    def check(self, statistics: Mapping[str, float | None]) -> tuple[bool, str]:
        """Whether ``statistics`` meet this gate, and a line saying what was measured."""
        measured = statistics.get(self.statistic)
        if measured is None:
            known = ", ".join(sorted(statistics))
            why = "not measured" if self.statistic in statistics else f"unknown (known: {known})"
            return False, f"{self}: FAILED, {self.statistic} is {why}"
        passed = _COMPARE[self.operator](measured, self.value)
        return passed, f"{self}: {'ok' if passed else 'FAILED'}, measured {measured:.4g}"


def parse_threshold(text: str) -> Threshold:
    """Read ``"mean >= 0.8"``; ValueError saying what is expected otherwise."""
    match = _PATTERN.match(text)
    if match is None:
        raise ValueError(
            f"cannot read threshold {text!r}: expected '<statistic> <op> <number>' such as "
            "'mean >= 0.8', with op one of >=, >, <=, <, =="
        )
    statistic, op, value = match.groups()
    return Threshold(statistic, op, float(value))
