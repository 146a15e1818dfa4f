"""Generic accuracy: extract an answer, compare it with the reference, with pluggable parts."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from typing import Any

from reward_kit.models import EvaluateResult, Message, MetricResult
from reward_kit.rewards._common import RewardInputError, response_text
from reward_kit.rewards._math.extract import final_answer
from reward_kit.rewards._math.run import DEFAULT_TIMEOUT, describe, run_check
from reward_kit.rewards._math.worker import check_math
from reward_kit.rewards.math import gold_text, percent_question, verdict_result
from reward_kit.typed_interface import reward_function

__all__ = ["accuracy_reward", "extract_final_answer"]

ExtractFn = Callable[[str], "str | None"]
CompareFn = Callable[[str, str], "bool | float"]


def extract_final_answer(text: str) -> str | None:
    """The default extractor: the math final answer (boxed, `<answer>`, `####`, phrase, number)."""
    answer = final_answer(text)
    return answer.text if answer is not None else None


def _score(value: Any) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)) and math.isfinite(value):
        return float(value)
    raise TypeError(f"compare_fn must return a bool or a finite number, got {value!r}")


@reward_function
async def accuracy_reward(
    messages: list[Message],
    ground_truth: Any = None,
    extract_fn: ExtractFn | None = None,
    compare_fn: CompareFn | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    **kwargs: Any,
) -> EvaluateResult:
    """Score how well the extracted answer matches the reference.

    By default the answer is the math final answer and the comparison is math equivalence (as
    `math_reward`, run in the time-limited worker pool). Plug in your own parts for other tasks:
    `extract_fn(response) -> answer | None` and `compare_fn(answer, reference) -> bool | float`.
    Nothing is matched by substring: the whole extracted answer is compared.

    Args:
        messages: The conversation; the last assistant message is judged (`<think>` removed).
        ground_truth: The reference answer (a string or number), or the older message-list form.
        extract_fn: Pulls the answer out of the response text; None when there is none.
        compare_fn: Scores an answer against the reference: True/False or a finite number. It
            runs in this process (in a thread), so it need not be picklable.
        timeout: Seconds the default math comparison may take.
        **kwargs: Other dataset columns (ignored).
    """
    try:
        response = response_text(messages)
        gold = gold_text(ground_truth)
    except RewardInputError as exc:
        return EvaluateResult.invalid(str(exc))
    try:
        answer = (extract_fn or extract_final_answer)(response)
    except Exception as exc:
        return EvaluateResult.invalid(f"extract_fn failed: {type(exc).__name__}: {exc}")
    if answer is None or not str(answer).strip():
        reason = "no answer extracted from the response"
        metrics = {"answer_extraction": MetricResult(score=0.0, reason=reason, success=False)}
        return EvaluateResult(score=0.0, reason=reason, metrics=metrics)
    answer = str(answer).strip()
    if compare_fn is None:
        try:
            verdict = await run_check(
                check_math,
                answer,
                gold,
                timeout=timeout,
                percent_mode=percent_question(messages),
                answer_is_extracted=True,
            )
        except Exception as exc:  # a timeout, a dead worker, or a failure inside the check
            return EvaluateResult.invalid(f"comparison failed: {describe(exc)}")
        return verdict_result(verdict)
    try:
        score = _score(await asyncio.to_thread(compare_fn, answer, gold))
    except Exception as exc:
        return EvaluateResult.invalid(f"compare_fn failed: {type(exc).__name__}: {exc}")
    reason = f"compare_fn scored answer '{answer}' against '{gold}': {score:g}"
    metrics = {
        "answer_extraction": MetricResult(score=1.0, reason=f"extracted '{answer}'", success=True),
        "answer_accuracy": MetricResult(score=score, reason=reason),
    }
    return EvaluateResult(score=score, reason=reason, metrics=metrics)
