"""Entry points run inside the math worker process (module-level, so they pickle by reference).

Everything sympy touches happens here; the caller bounds the time and kills a stuck worker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from reward_kit._wire_values import wire_type
from reward_kit.rewards._math.choice import choice
from reward_kit.rewards._math.compare import equivalent, scaled
from reward_kit.rewards._math.extract import (
    Answer,
    final_answer,
    last_boxed,
    reference_answer,
    uncommitted_boxes,
)
from reward_kit.rewards._math.parse import Parsed, looks_like_math, parse_answer

_SPACE = re.compile(r"\s+|\\[,;!]|\\left|\\right|\$")
_LETTER_GOLD = re.compile(r"^\(?([A-J])\)?\.?$")
_LETTERS = "ABCDEFGHIJ"


@wire_type
@dataclass(frozen=True)
class Verdict:
    """Outcome of checking one response against one reference.

    Attributes:
        correct: the answer is equivalent to the reference.
        reason: one human-readable sentence explaining the verdict.
        extracted: the response's final answer as written ("" when none was found).
        method: how it was extracted (see `extract.final_answer`), "" when none.
        gold: the reference answer as extracted from the ground truth.
        error: set when the reference itself could not be evaluated (not the response's fault).
        details: extra string metrics (parsed values).
    """

    correct: bool
    reason: str
    extracted: str = ""
    method: str = ""
    gold: str = ""
    error: str | None = None
    details: dict[str, str] = field(default_factory=dict)


def _squash(text: str) -> str:
    return _SPACE.sub("", text)


@lru_cache(maxsize=256)
def _parse_gold(gold: str) -> tuple[Answer | None, Parsed | None]:
    answer = reference_answer(gold)
    return answer, (parse_answer(answer) if answer is not None else None)


def _units_problem(gold: Parsed, pred: Parsed) -> str | None:
    if gold.unit is not None and pred.unit is not None:
        if gold.unit.dimension == pred.unit.dimension:
            return None
        return f"the answer's unit ({pred.unit.dimension}) is not the reference's"
    if gold.units and not gold.units <= pred.units:
        wanted = ", ".join(sorted(gold.units - pred.units))
        return f"the answer lacks the unit(s) {wanted} that the reference states"
    return None


def _convertible(gold: Parsed, pred: Parsed) -> bool:
    """Both answers carry known units of one dimension, in different sizes (`500 cm`, `5 m`)."""
    return (
        gold.unit is not None
        and pred.unit is not None
        and gold.unit.dimension == pred.unit.dimension
        and gold.unit.factor != pred.unit.factor
    )


def _in_base_units(value: Any, parsed: Parsed) -> Any:
    from fractions import Fraction

    from sympy import Rational

    assert parsed.unit is not None
    # Factors such as km/h (5/18) are floats in the table: recover the exact ratio.
    factor = Fraction(parsed.unit.factor).limit_denominator(10**9)
    return value * Rational(factor.numerator, factor.denominator)


def compare_answers(
    answer: Answer,
    gold_answer: Answer,
    gold_parsed: Parsed | None,
    *,
    percent_mode: bool,
    tolerance: float | None,
    absolute_tolerance: float | None,
    require_units: bool,
) -> Verdict:
    """Compare an extracted answer with the reference (parsed once by the caller)."""
    found = Verdict(False, "", answer.text, answer.method, gold_answer.text)
    pred_parsed = parse_answer(answer)
    if gold_parsed is None or pred_parsed is None:
        # math-verify saw no math on one side: only an identical text can still match.
        if _squash(answer.text) == _squash(gold_answer.text):
            return replace(found, correct=True, reason="answer matches the reference text exactly")
        if gold_parsed is None:
            error = f"could not parse the ground truth answer '{gold_answer.text}'"
            return replace(found, reason=error, error=error)
        return replace(found, reason=f"could not parse the answer '{answer.text}'")
    percent = percent_mode or gold_parsed.percent
    gold_value, pred_value = scaled(gold_parsed, percent), scaled(pred_parsed, percent)
    details = {"gold_value": str(gold_value), "extracted_value": str(pred_value)}
    ok = equivalent(
        gold_value, pred_value, tolerance=tolerance, absolute_tolerance=absolute_tolerance
    )
    if not ok and gold_parsed.percent and not percent_mode and not pred_parsed.percent:
        # The question does not ask for a percent: a rate as a decimal (0.25 for 25%) is right.
        ok = equivalent(
            scaled(gold_parsed, False),
            pred_value,
            tolerance=tolerance,
            absolute_tolerance=absolute_tolerance,
        )
    if not ok and _convertible(gold_parsed, pred_parsed):
        ok = equivalent(
            _in_base_units(gold_value, gold_parsed),
            _in_base_units(pred_value, pred_parsed),
            tolerance=tolerance,
            absolute_tolerance=absolute_tolerance,
        )
    if not ok:
        reason = f"answer '{answer.text}' is not equivalent to '{gold_answer.text}'"
        return replace(found, reason=reason, details=details)
    problem = _units_problem(gold_parsed, pred_parsed) if require_units else None
    if problem is not None:
        return replace(found, reason=problem, details=details)
    reason = f"answer '{answer.text}' is equivalent to '{gold_answer.text}'"
    return replace(found, correct=True, reason=reason, details=details)


def _letter_verdict(response: str, gold: Answer, letter: str) -> Verdict:
    """A letter reference (`C`): the option the response commits to, in any wording."""
    letters = _LETTERS[: max(5, _LETTERS.index(letter) + 1)]
    chosen, method = choice(response, letters)
    if chosen is None:
        return Verdict(False, method, gold=gold.text)
    correct = chosen == letter
    verb = "matches" if correct else "does not match"
    return Verdict(correct, f"option {chosen} {verb} '{letter}'", chosen, method, gold.text)


def check_math(
    response: str,
    gold: str,
    *,
    percent_mode: bool,
    tolerance: float | None = None,
    absolute_tolerance: float | None = None,
    require_units: bool = False,
    answer_is_extracted: bool = False,
    boxed_only: bool = False,
) -> Verdict:
    """Compare the final answer of `response` with the reference answer in `gold`.

    With `answer_is_extracted`, `response` already is the answer (a caller's own extraction);
    with `boxed_only`, only a `\\boxed{}` answer counts.
    """
    gold_answer, gold_parsed = _parse_gold(gold)
    if gold_answer is None:
        return Verdict(False, "empty ground truth", error="ground_truth holds no answer")
    letter = _LETTER_GOLD.match(gold_answer.text)
    if letter is not None and not answer_is_extracted:
        return _letter_verdict(response, gold_answer, letter.group(1))
    if answer_is_extracted:
        answer: Answer | None = Answer(response.strip(), "given", looks_like_math(response))
    elif boxed_only:
        boxed = None if uncommitted_boxes(response) else last_boxed(response)
        answer = Answer(boxed, "boxed", latex=True) if boxed is not None else None
    else:
        answer = final_answer(response)
    if answer is None or not answer.text:
        reason = "no final answer found in the response"
        if uncommitted_boxes(response):
            reason = "several boxed answers offered as alternatives: no final answer"
        elif boxed_only:
            reason = "no \\boxed{} answer in the response (extract_boxed_only)"
        return Verdict(False, reason, gold=gold_answer.text)
    try:
        return compare_answers(
            answer,
            gold_answer,
            gold_parsed,
            percent_mode=percent_mode,
            tolerance=tolerance,
            absolute_tolerance=absolute_tolerance,
            require_units=require_units,
        )
    except Exception as exc:  # sympy can fail in many ways on odd input: "could not evaluate"
        error = f"could not compare '{answer.text}' with '{gold_answer.text}': {type(exc).__name__}"
        return Verdict(False, error, answer.text, answer.method, gold_answer.text, error=error)


def check_any(response: str, golds: list[str], **options: Any) -> Verdict:
    """`check_math` against each accepted reference; the first match wins, else the last miss."""
    verdict = Verdict(False, "no accepted answers given")
    for gold in golds:
        verdict = check_math(response, gold, **options)
        if verdict.correct or verdict.error is not None:
            return verdict
    return verdict


def warm_up() -> None:
    """Import sympy and math-verify and parse once, so a fresh worker's first check is fast."""
    check_math("\\boxed{\\frac{1}{2}}", "0.5", percent_mode=False)
