"""Turn an extracted answer into a sympy value, using math-verify (never a hand-written parser).

math-verify's own timeouts use `signal.alarm`, which only works in the main thread; we switch
them off (`parsing_timeout=None`, `timeout_seconds=None`) because the caller bounds the time by
running this code in a killable worker process.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from reward_kit.rewards._math.extract import Answer
from reward_kit.rewards._math.units import Unit, split_units
from reward_kit.rewards._math.words import words_value

_PERCENT_SUFFIX = re.compile(
    r"\s*(?:\\?%|\\text\{\s*\\?%\s*\}|\\text\{\s*percent(?:age)?\s*\}|percent(?:age)?)\s*$",
    re.IGNORECASE,
)
_SCI = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)[eE]([-+]?\d+)(?![\w.])")
_THIN_SPACE_THOUSANDS = re.compile(r"(?<=\d)\\[,;!]\s*(?=\d{3}(?!\d))")
_SCI_WHOLE = re.compile(r"^[-+]?\d+(?:\.\d+)?[eE][-+]?\d+$")
_PLAIN_NUMBER = re.compile(
    r"^(?:\\\$|\$|€|£)?\s*(?P<num>[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+)"
    r"(?:\s*/\s*(?P<den>\d+))?(?P<words>\s*[A-Za-z]{2,}\.?(?:\s+[A-Za-z]{2,}\.?)*)?$"
)
# Words after a number that make it more than a number ("2 pi", "5 squared").
_MATH_WORD = re.compile(
    r"\b(?:pi|sqrt|root|ln|log|exp|sin|cos|tan|inf|infinity|squared|cubed|times|over|plus|"
    r"minus|divided|power)\b",
    re.IGNORECASE,
)
_TEXT_GROUP = re.compile(r"\\(?:text|mathrm|mbox|textbf|textrm|operatorname)\s*\{([^{}]*)\}")
_TRAILING_WORDS = re.compile(r"\d\s*([A-Za-z]+(?:\s+[A-Za-z]+)*)\.?$")
_LATEX_NOISE = re.compile(r"\\(?:text|mathrm|mbox)\s*\{[^{}]*\}|\\[A-Za-z]+")
_WORD = re.compile(r"[A-Za-z]{3,}")
_SUPERSCRIPT = str.maketrans(
    "\u207b\u207a\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079", "-+0123456789"
)
_SUPERSCRIPT_RUN = re.compile(r"10\s*([\u207b\u207a]?[\u2070\u00b9\u00b2\u00b3\u2074-\u2079]+)")
_POWER_OF_TEN = re.compile(r"10\s*\^\s*([-+]?\d+)")
_MIXED = re.compile(r"^([-+]?)(\d+)\s+(\d+)\s*/\s*(\d+)$")
_NOT_UNITS = frozenset({"or", "and", "i", "e", "x", "y", "z", "n"})


@dataclass(frozen=True)
class Parsed:
    """A parsed answer.

    Attributes:
        value: the sympy value (expression, set, interval, tuple, relation, matrix).
        percent: the answer was written with a percent sign or word (value excludes it).
        units: unit words written with the answer, normalised (lower case, singular).
        text: the text that was parsed, for reasons and metrics.
    """

    value: Any
    percent: bool
    units: frozenset[str]
    text: str
    unit: Unit | None = None


def _quiet_math_verify() -> None:
    """Drop math-verify's 'timeout is disabled' warning: we bound time from outside on purpose."""

    class _DropDisabledTimeout(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            return "Timeout is disabled" not in record.getMessage()

    for name in ("math_verify.parser", "math_verify.grader"):
        logging.getLogger(name).addFilter(_DropDisabledTimeout())


_quiet_math_verify()


def _unit(word: str) -> str:
    word = word.strip().lower().rstrip(".")
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def units_of(text: str) -> frozenset[str]:
    """Unit words of an answer: `\\text{cm}` groups and words after the final number."""
    words = [w for group in _TEXT_GROUP.findall(text) for w in group.split()]
    trailing = _TRAILING_WORDS.search(_TEXT_GROUP.sub("", text))
    if trailing:
        words.extend(trailing.group(1).split())
    return frozenset(_unit(w) for w in words if w.isalpha() and _unit(w) not in _NOT_UNITS)


def normalise(text: str, latex: bool) -> str:
    """Spelling fixes math-verify lacks: unicode minus/times, `1\\,000`, `**42**`, `6.02e23`.

    In LaTeX, `2e+3` may mean 2e + 3, so there only a whole answer like `1e-3` is rewritten.
    """
    text = text.replace("\u2212", "-").replace("\u2013", "-").replace("\u00d7", "\\times ")
    text = _SUPERSCRIPT_RUN.sub(lambda m: "10^{" + m.group(1).translate(_SUPERSCRIPT) + "}", text)
    text = _POWER_OF_TEN.sub(r"10^{\1}", text)
    text = _THIN_SPACE_THOUSANDS.sub("", text).strip().rstrip(".").strip().strip("*").strip()
    if not latex or _SCI_WHOLE.match(text):
        text = _SCI.sub(r"\1\\times 10^{\2}", text)
    return text


def looks_like_math(text: str) -> bool:
    """True when `text` has no prose words once LaTeX commands and `\\text{}` are removed."""
    return _WORD.search(_LATEX_NOISE.sub(" ", text)) is None


def split_percent(text: str) -> tuple[str, bool]:
    """Strip a trailing percent sign/word; say whether there was one."""
    stripped = _PERCENT_SUFFIX.sub("", text)
    return stripped, stripped != text


def _plain_number(text: str) -> Any | None:
    """Exact sympy value of a plain number such as `1,234`, `$18.50`, `3/4`, `18 apples`."""
    import sympy

    mixed = _MIXED.match(text)
    if mixed is not None and int(mixed[4]) != 0:
        whole = sympy.Integer(int(mixed[2])) + sympy.Rational(int(mixed[3]), int(mixed[4]))
        return -whole if mixed[1] == "-" else whole
    match = _PLAIN_NUMBER.match(text)
    if match is None:
        return None
    if _MATH_WORD.search(match.group("words") or ""):
        return None
    num = match.group("num").replace(",", "")
    den = match.group("den")
    if den is not None:
        if "." in num or int(den) == 0:
            return None
        return sympy.Rational(int(num), int(den))
    if "." in num:
        # A decimal is a rounded value: keep it a Float (with all its digits) as math-verify does.
        return sympy.Float(num, max(15, len(num)))
    return sympy.Integer(int(num))


@lru_cache(maxsize=1)
def _configs() -> tuple[Any, Any, Any]:
    from math_verify import ExprExtractionConfig, LatexExtractionConfig

    boxed_only = LatexExtractionConfig(boxed_match_priority=0, try_extract_without_anchor=False)
    return boxed_only, LatexExtractionConfig(), ExprExtractionConfig()


def _math_verify_parse(text: str, latex: bool) -> Any | None:
    from math_verify import parse
    from sympy import Basic, MatrixBase

    boxed_only, latex_config, expr_config = _configs()
    as_latex = latex or looks_like_math(text)
    attempts = [("\\boxed{" + text + "}", [boxed_only])] if as_latex else []
    attempts.append((text, [latex_config, expr_config]))
    for candidate, configs in attempts:
        found = parse(candidate, configs, fallback_mode="no_fallback", parsing_timeout=None)
        if found and isinstance(found[0], (Basic, MatrixBase)):
            return found[0]
    return None


def _strip_pct_marker(value: Any) -> tuple[Any, bool]:
    """math-verify marks `25 percent` as `25*UnevaluatedExpr(1/100)`; keep the number only."""
    from sympy import Basic, Integer, Rational, UnevaluatedExpr

    marker = UnevaluatedExpr(Rational(1, 100))
    if isinstance(value, Basic) and value.has(marker):
        return value.xreplace({marker: Integer(1)}), True
    return value, False


def _number(text: str, latex: bool) -> Any | None:
    value = _plain_number(text)
    if value is None:
        value = _math_verify_parse(text, latex)
    return value


def _with_unit(text: str, latex: bool) -> tuple[Any, Unit | None] | None:
    """A number followed by a unit (`28.27 \\text{ cm}^2`, `500 cm`): its value and unit."""
    split = split_units(text)
    if split is None:
        return None
    number, label, unit = split
    if unit is None and _MATH_WORD.search(label):
        return None  # `2 pi`, `5 squared`: math, not a unit
    value = _number(number, latex)
    if value is None or not getattr(value, "is_number", False):
        return None
    return value, unit


def _from_words(text: str) -> Any | None:
    """`five`, `one hundred apples`: numbers written as words (no digits in the text)."""
    import sympy

    if any(ch.isdigit() for ch in text):
        return None
    found = words_value(text)
    if found is None or not all(word.isalpha() for word in found[1].split()):
        return None
    return sympy.Integer(found[0])


def parse_answer(answer: Answer) -> Parsed | None:
    """Parse an extracted answer; None when math-verify finds no math in it."""
    text, percent = split_percent(normalise(answer.text, answer.latex))
    units = units_of(text)
    value, unit = _with_unit(text, answer.latex) or (None, None)
    if value is None:
        value = _plain_number(text)
    if value is None:
        value = _from_words(text)
    if value is None:
        value = _math_verify_parse(text, answer.latex)
        if value is None:
            return None
        value, marked = _strip_pct_marker(value)
        percent = percent or marked
    return Parsed(value=value, percent=percent, units=units, text=text, unit=unit)
