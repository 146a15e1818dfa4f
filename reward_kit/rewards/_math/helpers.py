"""reward-kit's documented number helpers (pure Python: no sympy, no worker)."""

from __future__ import annotations

import math
import re
from fractions import Fraction

_SCI_TIMES = re.compile(r"\s*(?:\u00d7|\\times|\*)\s*10\s*\^\s*\{?\s*([-+\u2212]?\d+)\s*\}?")
_NUMBER = re.compile(
    r"(?<![\w.])[-\u2212]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?"
    r"(?:\s*(?:\u00d7|\\times|\*)\s*10\s*\^\s*\{?\s*[-+\u2212]?\d+(?:\s*\})?)?"
    r"(?:\s*/\s*\d+(?![\d.]))?"
)


def _value(text: str) -> float:
    text = text.replace("\u2212", "-").replace(",", "")
    power = _SCI_TIMES.search(text)
    if power is not None:
        exponent = int(power.group(1).replace("\u2212", "-"))
        return float(text[: power.start()]) * 10.0**exponent
    if "/" in text:
        numerator, denominator = (part.strip() for part in text.split("/"))
        return float(Fraction(int(numerator), int(denominator))) if int(denominator) else math.nan
    return float(text)


def extract_numbers(text: str) -> list[tuple[str, float]]:
    """Every number written in ``text``, in order, as (text as written, value).

    Thousands separators, decimals, `1e-3`, `6.022 \\times 10^{23}` and `3/4` are read.
    """
    found = []
    for match in _NUMBER.finditer(text):
        value = _value(match.group())
        if not math.isnan(value):
            found.append((match.group(), value))
    return found


def compare_numbers(
    expected: float,
    actual: float,
    relative_tolerance: float = 1e-5,
    absolute_tolerance: float = 1e-8,
) -> tuple[bool, float]:
    """Whether two numbers agree within the tolerances, and a score: 1.0 if so, else 0.0.

    A near miss scores 0.0: a wrong number earns no credit for being close.
    """
    close = math.isclose(expected, actual, rel_tol=relative_tolerance, abs_tol=absolute_tolerance)
    return close, 1.0 if close else 0.0
