"""Math answer checking: is the response's final answer equivalent to the reference?

Parsing and equivalence are math-verify's (with sympy); reward-kit adds the answer extraction
order, a high-precision check against math-verify's rounding false positives, percentages read
per the question, optional units, and a time limit enforced by a killable worker process.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

from reward_kit.models import EvaluateResult, Message, MetricResult, message_text
from reward_kit.rewards._common import (
    RewardInputError,
    ground_truth_value,
    prompt_text,
    response_text,
)
from reward_kit.rewards._math.helpers import compare_numbers, extract_numbers
from reward_kit.rewards._math.run import DEFAULT_TIMEOUT, describe, run_check
from reward_kit.rewards._math.worker import Verdict, check_any
from reward_kit.rewards._options import check_options
from reward_kit.typed_interface import reward_function

__all__ = ["compare_numbers", "extract_numbers", "math_reward"]

_PERCENT_QUESTION = re.compile(r"%|\bpercent", re.IGNORECASE)


def gold_text(ground_truth: Any) -> str:
    """The reference answer as text: a string, a number, or the older message-list form.

    Raises:
        RewardInputError: the ground truth is missing or of a type that holds no answer.
    """
    value = ground_truth_value(ground_truth)
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal, Fraction)):
        raise RewardInputError(
            f"ground_truth must be a string or a number, got {type(value).__name__}"
        )
    text = str(value).strip()
    if not text:
        raise RewardInputError("ground_truth is empty")
    return text


def accepted_answers(
    ground_truth: Any,
    expected_answer: Any,
    original_messages: list[Message] | None,
    from_original: bool,
) -> list[str]:
    """The reference answers: ``expected_answer``, else ``ground_truth``, else (when asked)
    the text of ``original_messages``. A list gives several accepted answers.

    Raises:
        RewardInputError: no reference, or one of a type that holds no answer.
    """
    value = expected_answer if expected_answer is not None else ground_truth
    if value is None and from_original and original_messages:
        value = "\n".join(message_text(m) for m in original_messages)
    if isinstance(value, (list, tuple)) and value and not isinstance(value[0], (dict, Message)):
        return [gold_text(item) for item in value]
    return [gold_text(value)]


def percent_question(messages: list[Message]) -> bool:
    """Whether the question asks about percentages (then `25%` and `25` are the same answer)."""
    return bool(_PERCENT_QUESTION.search(prompt_text(messages)))


def verdict_result(verdict: Verdict) -> EvaluateResult:
    """The `EvaluateResult` of a worker verdict."""
    if verdict.error is not None:
        return EvaluateResult.invalid(verdict.error, reason=verdict.reason)
    found = bool(verdict.extracted)
    metrics = {
        "answer_extraction": MetricResult(
            score=1.0 if found else 0.0,
            reason=f"{verdict.method}: '{verdict.extracted}'" if found else "no answer found",
            success=found,
        ),
        "answer_accuracy": MetricResult(
            score=1.0 if verdict.correct else 0.0,
            reason="; ".join(
                [verdict.reason, *(f"{k}={v}" for k, v in sorted(verdict.details.items()))]
            ),
            success=verdict.correct,
        ),
    }
    return EvaluateResult(
        score=1.0 if verdict.correct else 0.0, reason=verdict.reason, metrics=metrics
    )


@reward_function
@check_options
async def math_reward(
    messages: list[Message],
    ground_truth: Any = None,
    tolerance: float | None = None,
    absolute_tolerance: float | None = None,
    require_units: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    expected_answer: Any = None,
    extract_boxed_only: bool = False,
    ignore_units: bool = True,
    original_messages: list[Message] | None = None,
    extract_answer_from_original: bool = False,
    **kwargs: Any,
) -> EvaluateResult:
    """Score 1.0 when the response's final answer is mathematically equivalent to the gold.

    The final answer is the last `\\boxed{}`/`\\fbox{}`, else the last `<answer>...</answer>`,
    else GSM8K's `#### N`, else "final answer is ..."/"answer: ...", else the last number;
    `<think>` reasoning is ignored. Strict: several candidates never earn credit for any but the
    final one (two boxed answers offered as alternatives earn none), and an off-by-one integer
    is wrong. Units convert (`500 cm` is `5 m`); a letter reference (`C`) is matched against
    the option the response chooses (`option C`, `(C) 29`, a last line `C.`).

    Args:
        messages: The conversation; the last assistant message is judged.
        ground_truth: The reference: a bare answer (`"42"`, `42`, `"\\frac{1}{2}"`), a solution
            with a `\\boxed{}` answer, a GSM8K solution ending in `#### N`, a list of accepted
            answers, or the older form (a list of messages whose last assistant message holds it).
        tolerance: Relative tolerance for numeric answers. None (default) means exact for exact
            values, and agreement to 1e-5 relative (and 6 decimals) when a decimal is involved.
        absolute_tolerance: Absolute tolerance for numeric answers (None: not used).
        require_units: When the reference states units (`5 \\text{ cm}`), the answer must too.
        timeout: Seconds the check may take; past it the result is invalid, with an error.
        expected_answer: reward-kit's name for the reference (wins over ``ground_truth``); a
            list accepts any of its answers (`["5/12", "0.41666"]`).
        extract_boxed_only: Only a `\\boxed{}` answer counts.
        ignore_units: False is ``require_units=True``.
        original_messages: The conversation the reference may be read from.
        extract_answer_from_original: Without a reference, read it from ``original_messages``
            ("The answer is x = 5.").
        **kwargs: Other dataset columns (ignored).

    Returns:
        Score 1.0 or 0.0, with metrics `answer_extraction` and `answer_accuracy`; invalid (with
        `error`) when there is no response, no usable ground truth, or the check timed out.
    """
    try:
        response = response_text(messages)
        golds = accepted_answers(
            ground_truth, expected_answer, original_messages, extract_answer_from_original
        )
        verdict = await run_check(
            check_any,
            response,
            golds,
            timeout=timeout,
            percent_mode=percent_question(messages),
            tolerance=tolerance,
            absolute_tolerance=absolute_tolerance,
            require_units=require_units or not ignore_units,
            boxed_only=extract_boxed_only,
        )
    except RewardInputError as exc:
        return EvaluateResult.invalid(str(exc))
    except Exception as exc:  # a timeout, a dead worker, or a failure inside the check
        return EvaluateResult.invalid(f"math check failed: {describe(exc)}")
    return verdict_result(verdict)
