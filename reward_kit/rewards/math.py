"""Math answer checking: is the response's final answer equivalent to the reference?

Parsing and equivalence are math-verify's (with sympy); reward-kit adds the answer extraction
order, a high-precision check against math-verify's rounding false positives, percentages read
per the question, optional units, and a time limit enforced by a killable worker process.
"""

from __future__ import annotations

from typing import Any

from reward_kit.models import EvaluateResult, Message
from reward_kit.rewards._common import (
    RewardInputError,
    response_text,
)
from reward_kit.rewards._math.answers import (
    accepted_answers,
    add_reward_kit_metrics,
    percent_question,
    verdict_result,
)
from reward_kit.rewards._math.helpers import compare_numbers, extract_numbers
from reward_kit.rewards._math.run import DEFAULT_TIMEOUT, describe, run_check
from reward_kit.rewards._math.worker import check_any
from reward_kit.rewards._options import check_options
from reward_kit.typed_interface import reward_function

__all__ = ["compare_numbers", "extract_numbers", "math_reward"]


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
        Score 1.0 or 0.0, with metrics `answer_extraction` and `answer_accuracy` (reward-kit
        also names them `extracted_generated_answers` and `answer_comparison`) and
        `extracted_original_answers` (the reference); invalid (with `error`) when there is
        no response, no usable ground truth, or the check timed out.
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
    return add_reward_kit_metrics(verdict_result(verdict), "answers", " | ".join(golds))
