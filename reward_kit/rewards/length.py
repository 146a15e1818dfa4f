"""Length rewards: keep responses near a target length, or short when right and when wrong."""

from __future__ import annotations

import math
from typing import Any

from reward_kit.models import EvaluateResult, Message, MetricResult
from reward_kit.rewards._common import RewardInputError, response_text
from reward_kit.rewards._length import interpolate, measure, pair
from reward_kit.rewards._options import check_options
from reward_kit.typed_interface import reward_function

__all__ = ["cosine_length_reward", "cosine_scaled_length", "count_tokens", "length_reward"]


def count_tokens(text: str, method: str = "whitespace", tokenizer: Any = None) -> int:
    """The length of ``text`` as the length rewards measure it.

    Args:
        text: The text.
        method: ``"whitespace"`` (words), ``"characters"`` (reward-kit: ``"character"``) or
            ``"tokenizer"``.
        tokenizer: For ``"tokenizer"``: a callable, a tokenizer object or a Hugging Face name.
    """
    return measure(text, "characters" if method == "character" else method, tokenizer)


def _band(
    target_length: int | None, min_length: int | None, max_length: int | None
) -> tuple[float, float]:
    if target_length is not None:
        if min_length is not None or max_length is not None:
            raise ValueError("give target_length, or min_length/max_length, not both")
        if target_length <= 0:
            raise ValueError(f"target_length must be positive, got {target_length}")
        return float(target_length), float(target_length)
    if min_length is None and max_length is None:
        raise ValueError("length_reward needs target_length, min_length or max_length")
    low = float(min_length or 0)
    high = float(max_length) if max_length is not None else math.inf
    if low < 0 or high <= 0 or low > high:
        raise ValueError(f"need 0 <= min_length <= max_length, got {min_length}, {max_length}")
    return low, high


@reward_function
@check_options
def length_reward(
    messages: list[Message],
    ground_truth: Any = None,
    target_length: int | None = None,
    min_length: int | None = None,
    max_length: int | None = None,
    token_method: str = "whitespace",
    scaling: str = "linear",
    reward_range: tuple[float, float] = (0.0, 1.0),
    tokenizer: Any = None,
    **kwargs: Any,
) -> EvaluateResult:
    """Reward a response whose length is at ``target_length`` or within the length bounds.

    Inside the band (``[min_length, max_length]``, or exactly ``target_length``) the reward is
    the top of ``reward_range``. Outside it falls, linearly or along a cosine, to the bottom of
    the range: reached at length 0 on the short side, and at twice the upper bound (or target)
    on the long side.

    Args:
        messages: The conversation; the last assistant message (reasoning included) is measured.
        ground_truth: Not used.
        target_length: The ideal length; excludes ``min_length``/``max_length``.
        min_length: Shortest length with full reward (default 0).
        max_length: Longest length with full reward (default unbounded).
        token_method: ``"whitespace"`` (words), ``"characters"``, or ``"tokenizer"``.
        scaling: ``"linear"`` or ``"cosine"`` fall-off outside the band.
        reward_range: ``(min, max)`` reward; negative values work (``(-1.0, 0.0)``).
        tokenizer: For ``token_method="tokenizer"``: any callable returning tokens (or their
            count), an object with ``encode`` (Hugging Face, tiktoken), or the name or path of
            a Hugging Face tokenizer (needs ``transformers``; loaded once).
    """
    try:
        low, high = _band(target_length, min_length, max_length)
        worst, best = pair(reward_range, "reward_range")
        length = measure(response_text(messages, drop_thinking=False), token_method, tokenizer)
        if low <= length <= high:
            distance = 0.0
        elif length < low:
            distance = (low - length) / low
        else:
            distance = (length - high) / high
        score = interpolate(distance, best, worst, scaling)
    except (RewardInputError, ValueError) as exc:
        return EvaluateResult.invalid(str(exc))
    band = f"{low:g}" if low == high else f"{low:g}..{high:g}"
    where = "within" if distance == 0 else ("below" if length < low else "above")
    reason = f"length {length} ({token_method}) is {where} {band}"
    metrics = {
        "length": MetricResult(score=float(length), reason=f"{token_method} length"),
        "in_band": MetricResult(score=float(distance == 0), reason=reason, success=distance == 0),
    }
    return EvaluateResult(score=score, reason=reason, metrics=metrics)


def cosine_scaled_length(
    length: int,
    correct: bool,
    max_length: int,
    correct_range: tuple[float, float],
    wrong_range: tuple[float, float],
) -> float:
    """The Kimi/open-r1 cosine length reward for one response.

    Correct responses go from the top of ``correct_range`` at length 0 down to its bottom at
    ``max_length``; wrong ones from the top of ``wrong_range`` down to its bottom. So short
    correct answers score highest and long wrong answers lowest.
    """
    if max_length <= 0:
        raise ValueError(f"max_length must be positive, got {max_length}")
    low, high = correct_range if correct else wrong_range
    return interpolate(length / max_length, high, low, "cosine")


@reward_function
@check_options
def cosine_length_reward(
    messages: list[Message],
    ground_truth: Any = None,
    correctness: bool | float | None = None,
    max_length: int = 1000,
    correct_range: tuple[float, float] = (0.5, 1.0),
    wrong_range: tuple[float, float] = (-1.0, -0.5),
    token_method: str = "whitespace",
    tokenizer: Any = None,
    correctness_threshold: float = 0.9,
    **kwargs: Any,
) -> EvaluateResult:
    """Cosine-scaled length reward given whether the response is correct.

    Short correct answers score highest (top of ``correct_range``), long wrong answers lowest
    (bottom of ``wrong_range``); a correct answer always beats a wrong one when the ranges do
    not overlap. To judge correctness as well, use
    :func:`reward_kit.rewards.accuracy_length.cosine_scaled_accuracy_length_reward`.

    Args:
        messages: The conversation; the last assistant message (reasoning included) is measured.
        ground_truth: Not used.
        correctness: Whether the response is correct (a dataset column or a value another
            reward computed): True/False, or an accuracy score in [0, 1]. Required.
        max_length: Length at which the reward reaches the bottom of its range.
        correct_range: ``(min, max)`` reward of correct responses.
        wrong_range: ``(min, max)`` reward of wrong responses.
        token_method: ``"whitespace"``, ``"characters"`` or ``"tokenizer"`` (see length_reward).
        tokenizer: For ``token_method="tokenizer"``.
        correctness_threshold: A numeric ``correctness`` at or above it counts as correct.
    """
    if isinstance(correctness, (int, float)) and not isinstance(correctness, bool):
        correctness = correctness >= correctness_threshold
    if not isinstance(correctness, bool):
        return EvaluateResult.invalid(
            f"cosine_length_reward needs correctness=True/False or a score, got {correctness!r}; "
            "cosine_scaled_accuracy_length_reward judges correctness itself"
        )
    try:
        length = measure(response_text(messages, drop_thinking=False), token_method, tokenizer)
        score = cosine_scaled_length(
            length,
            correctness,
            max_length,
            pair(correct_range, "correct_range"),
            pair(wrong_range, "wrong_range"),
        )
    except (RewardInputError, ValueError) as exc:
        return EvaluateResult.invalid(str(exc))
    verdict = "correct" if correctness else "wrong"
    reason = f"{verdict} response of length {length} ({token_method}) of max {max_length}"
    metrics = {"length": MetricResult(score=float(length), reason=f"{token_method} length")}
    return EvaluateResult(score=score, reason=reason, metrics=metrics)
