"""Accuracy combined with a cosine length reward: right and brief beats right and rambling."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reward_kit._registry import resolve_reward
from reward_kit.errors import RewardNotFoundError
from reward_kit.models import EvaluateResult, Message, MetricResult
from reward_kit.rewards._common import RewardInputError, response_text
from reward_kit.rewards._length import interpolate, measure, value_ranges
from reward_kit.rewards._options import check_options
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
@check_options
def cosine_scaled_accuracy_length_reward(
    messages: list[Message],
    ground_truth: Any = None,
    accuracy_fn: str | Callable[..., Any] = "accuracy_reward",
    correctness_threshold: float = 1.0,
    max_length: int = 1000,
    correct_range: tuple[float, float] = (0.5, 1.0),
    wrong_range: tuple[float, float] = (0.0, 0.3),
    accuracy_weight: float = 0.7,
    length_weight: float = 0.3,
    token_method: str = "whitespace",
    tokenizer: Any = None,
    extract_fn: Callable[[str], Any] | None = None,
    compare_fn: Callable[[str, str], Any] | None = None,
    correctness_weight: float | None = None,
    min_value_correct: float | None = None,
    max_value_correct: float | None = None,
    min_value_wrong: float | None = None,
    max_value_wrong: float | None = None,
    **kwargs: Any,
) -> EvaluateResult:
    """Judge the answer with an accuracy reward, then weigh in its length on a cosine schedule.

    The score is ``accuracy_weight * accuracy + length_weight * length_score``. A correct
    response's length score falls from the top of ``correct_range`` (length 0) to its bottom
    (``max_length``); a wrong one's rises from the bottom of ``wrong_range`` to its top, so a
    wrong answer that shows its work is penalised less, as in open-r1 and reward-kit. With
    the default ranges the score stays in 0..1 and a correct answer always outscores a wrong
    one. When the accuracy reward cannot evaluate the sample, neither can this one.

    Args:
        messages: The conversation; its last assistant message is judged and measured.
        ground_truth: The reference, passed on to the accuracy reward.
        accuracy_fn: The reward deciding correctness: a reward function, or the registered name
            or reference (``"accuracy_reward"``, ``"math_reward"``, ``"pkg.mod:fn"``) of one.
            Extra keyword arguments are passed on to it.
        correctness_threshold: Accuracy score at or above which the response counts as correct.
        max_length: Length at which the length score reaches the end of its range.
        correct_range: ``(min, max)`` length score of correct responses.
        wrong_range: ``(min, max)`` length score of wrong responses.
        accuracy_weight: Weight of the accuracy score (reward-kit: ``correctness_weight``).
        length_weight: Weight of the length score.
        token_method: ``"whitespace"``, ``"characters"`` or ``"tokenizer"``.
        tokenizer: For ``token_method="tokenizer"``.
        extract_fn: Passed to the accuracy reward (``accuracy_reward``'s answer extractor).
        compare_fn: Passed to the accuracy reward (``accuracy_reward``'s comparison).
        correctness_weight: reward-kit's name for ``accuracy_weight``.
        min_value_correct: reward-kit's name for ``correct_range[0]`` (likewise
            ``max_value_correct``, ``min_value_wrong``, ``max_value_wrong``).
    """
    for name, value in (("extract_fn", extract_fn), ("compare_fn", compare_fn)):
        if value is not None:
            kwargs[name] = value
    weight = accuracy_weight if correctness_weight is None else correctness_weight
    bounds = {
        "min_value_correct": min_value_correct,
        "max_value_correct": max_value_correct,
        "min_value_wrong": min_value_wrong,
        "max_value_wrong": max_value_wrong,
    }
    try:
        judge = _accuracy_function(accuracy_fn)
        length = measure(response_text(messages, drop_thinking=False), token_method, tokenizer)
        good, bad = value_ranges(correct_range, wrong_range, bounds)
        (good_low, good_high), (bad_low, bad_high) = good, bad
        if max_length <= 0:
            raise ValueError(f"max_length must be positive, got {max_length}")
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
    progress = length / max_length
    if correct:
        length_score = interpolate(progress, good_high, good_low, "cosine")
    else:
        length_score = interpolate(progress, bad_low, bad_high, "cosine")
    score = weight * accuracy.score + length_weight * length_score
    verdict = "correct" if correct else "wrong"
    reason = (
        f"{verdict} (accuracy {accuracy.score:g}), length {length} of max {max_length}: "
        f"{weight:g} x {accuracy.score:.2f} + {length_weight:g} x {length_score:.2f}"
    )
    metrics = {
        "combined_reward": MetricResult(score=score, reason=reason, success=correct),
        "accuracy": MetricResult(
            score=accuracy.score, reason=accuracy.reason or "", success=correct
        ),
        "length": MetricResult(score=length_score, reason=f"{token_method} length {length}"),
        "token_count": MetricResult(
            score=max(0.0, 1.0 - min(1.0, progress)), reason=f"{length}/{max_length} tokens"
        ),
        **{f"accuracy.{name}": metric for name, metric in accuracy.metrics.items()},
    }
    return EvaluateResult(score=score, reason=reason, metrics=metrics)
