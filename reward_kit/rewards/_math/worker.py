"""Entry points run inside the math worker process (module-level, so they pickle by reference).

Everything sympy touches happens here; the caller bounds the time and kills a stuck worker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from reward_kit._wire_values import wire_type
from reward_kit.rewards._math.compare import equivalent, scaled
from reward_kit.rewards._math.extract import Answer, final_answer, reference_answer
from reward_kit.rewards._math.parse import Parsed, looks_like_math, parse_answer

_SPACE = re.compile(r"\s+|\\[,;!]|\\left|\\right|\$")


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
    if gold.units and not gold.units <= pred.units:
        wanted = ", ".join(sorted(gold.units - pred.units))
        return f"the answer lacks the unit(s) {wanted} that the reference states"
    return None


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
    if not ok:
        reason = f"answer '{answer.text}' is not equivalent to '{gold_answer.text}'"
        return replace(found, reason=reason, details=details)
    problem = _units_problem(gold_parsed, pred_parsed) if require_units else None
    if problem is not None:
        return replace(found, reason=problem, details=details)
    reason = f"answer '{answer.text}' is equivalent to '{gold_answer.text}'"
    return replace(found, correct=True, reason=reason, details=details)


def check_math(
    response: str,
    gold: str,
    *,
    percent_mode: bool,
    tolerance: float | None = None,
    absolute_tolerance: float | None = None,
    require_units: bool = False,
    answer_is_extracted: bool = False,
) -> Verdict:
    """Compare the final answer of `response` with the reference answer in `gold`.

    With `answer_is_extracted`, `response` already is the answer (a caller's own extraction).
    """
    gold_answer, gold_parsed = _parse_gold(gold)
    if gold_answer is None:
        return Verdict(False, "empty ground truth", error="ground_truth holds no answer")
    if answer_is_extracted:
        answer: Answer | None = Answer(response.strip(), "given", looks_like_math(response))
    else:
        answer = final_answer(response)
    if answer is None or not answer.text:
        return Verdict(False, "no final answer found in the response", gold=gold_answer.text)
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


def warm_up() -> None:
    """Import sympy and math-verify and parse once, so a fresh worker's first check is fast."""
    check_math("\\boxed{\\frac{1}{2}}", "0.5", percent_mode=False)
