"""Accuracy combined with a cosine length reward: right and brief beats right and rambling."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reward_kit._registry import resolve_reward
from reward_kit.errors import RewardNotFoundError
from reward_kit.models import EvaluateResult, Message, MetricResult
from reward_kit.rewards._common import RewardInputError, response_text
from reward_kit.rewards._length import measure, pair
from reward_kit.rewards.length import cosine_scaled_length
from reward_kit.typed_interface import reward_function

__all__ = ["cosine_scaled_accuracy_length_reward"]


def _accuracy_function(accuracy_fn: str | Callable[..., Any]) -> Callable[..., Any]:
    if callable(accuracy_fn):
        return accuracy_fn
    if isinstance(accuracy_fn, str):
        return resolve_reward(accuracy_fn)  # type: ignore[no-any-return]
    raise ValueError(
        f"accuracy_fn must be a reward function or its name, got {type(accuracy_fn).__name__}"
    )


@reward_function
def cosine_scaled_accuracy_length_reward(
    messages: list[Message],
    ground_truth: Any = None,
    accuracy_fn: str | Callable[..., Any] = "math_reward",
    correctness_threshold: float = 1.0,
    max_length: int = 1000,
    correct_range: tuple[float, float] = (0.5, 1.0),
    wrong_range: tuple[float, float] = (-1.0, -0.5),
    accuracy_weight: float = 0.7,
    length_weight: float = 0.3,
    token_method: str = "whitespace",
    tokenizer: Any = None,
    **kwargs: Any,
) -> EvaluateResult:
    """Judge the answer with an accuracy reward, then scale by length (Kimi k1.5 style).

    The score is ``accuracy_weight * accuracy + length_weight * length_score``, where
    ``length_score`` is the cosine length reward for a correct or a wrong response. With the
    default ranges a correct answer always outscores a wrong one, shorter ones score higher
    among correct answers, and long wrong answers score lowest. When the accuracy reward cannot
    evaluate the sample, neither can this one.

    Args:
        messages: The conversation; its last assistant message is judged and measured.
        ground_truth: The reference, passed on to the accuracy reward.
        accuracy_fn: The reward deciding correctness: a reward function, or the registered name
            or reference (``"math_reward"``, ``"pkg.mod:fn"``) of one. Extra keyword arguments
            are passed on to it.
        correctness_threshold: Accuracy score at or above which the response counts as correct.
        max_length: Length at which the length score reaches the bottom of its range.
        correct_range: ``(min, max)`` length score of correct responses.
        wrong_range: ``(min, max)`` length score of wrong responses.
        accuracy_weight: Weight of the accuracy score.
        length_weight: Weight of the length score.
        token_method: ``"whitespace"``, ``"characters"`` or ``"tokenizer"``.
        tokenizer: For ``token_method="tokenizer"``.
    """
    try:
        judge = _accuracy_function(accuracy_fn)
        length = measure(response_text(messages, drop_thinking=False), token_method, tokenizer)
        ranges = pair(correct_range, "correct_range"), pair(wrong_range, "wrong_range")
    except (RewardInputError, RewardNotFoundError, ValueError) as exc:
        return EvaluateResult.invalid(str(exc))
    accuracy = judge(messages=messages, ground_truth=ground_truth, **kwargs)
    if not isinstance(accuracy, EvaluateResult):
        return EvaluateResult.invalid(
            f"accuracy_fn returned {type(accuracy).__name__}, expected an EvaluateResult"
        )
    if not accuracy.is_score_valid:
        return EvaluateResult(
            score=0.0,
            is_score_valid=False,
            error=f"accuracy could not be evaluated: {accuracy.error or accuracy.reason}",
            reason=accuracy.reason,
            metrics={
                "accuracy": MetricResult(
                    score=0.0, is_score_valid=False, reason=accuracy.error or ""
                )
            },
        )
    correct = accuracy.score >= correctness_threshold
    try:
        length_score = cosine_scaled_length(length, correct, max_length, *ranges)
    except ValueError as exc:
        return EvaluateResult.invalid(str(exc))
    score = accuracy_weight * accuracy.score + length_weight * length_score
    verdict = "correct" if correct else "wrong"
    reason = f"{verdict} (accuracy {accuracy.score:g}), length {length} of max {max_length}"
    metrics = {
        "accuracy": MetricResult(
            score=accuracy.score, reason=accuracy.reason or "", success=correct
        ),
        "length": MetricResult(score=length_score, reason=f"{token_method} length {length}"),
        **{f"accuracy.{name}": metric for name, metric in accuracy.metrics.items()},
    }
    return EvaluateResult(score=score, reason=reason, metrics=metrics)
