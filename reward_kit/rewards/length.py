"""Length rewards: keep responses near a target length, or short when right and when wrong."""

from __future__ import annotations

import math
from typing import Any

from reward_kit.models import EvaluateResult, Message, MetricResult
from reward_kit.rewards._common import RewardInputError, response_text
from reward_kit.rewards._length import interpolate, measure, pair, value_ranges
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
        "token_count": MetricResult(score=float(length), reason=f"{length} ({token_method})"),
    }
    return EvaluateResult(score=score, reason=reason, metrics=metrics)


def cosine_scaled_length(
    length: int,
    correct: bool,
    max_length: int,
    correct_range: tuple[float, float],
    wrong_range: tuple[float, float],
) -> float:
    """The open-r1 cosine length reward for one response, as reward-kit computes it.

    Correct responses go from the top of ``correct_range`` at length 0 down to its bottom at
    ``max_length``: short right answers pay most. Wrong ones go from the bottom of
    ``wrong_range`` up to its top: a wrong answer that shows more work is penalised less.
    When the ranges do not overlap, a right answer always beats a wrong one.
    """
    if max_length <= 0:
        raise ValueError(f"max_length must be positive, got {max_length}")
    low, high = correct_range if correct else wrong_range
    start, end = (high, low) if correct else (low, high)
    return interpolate(length / max_length, start, end, "cosine")


@reward_function
@check_options
def cosine_length_reward(
    messages: list[Message],
    ground_truth: Any = None,
    correctness: bool | float | None = None,
    max_length: int = 1000,
    correct_range: tuple[float, float] = (0.5, 1.0),
    wrong_range: tuple[float, float] = (0.0, 0.3),
    token_method: str = "whitespace",
    tokenizer: Any = None,
    correctness_threshold: float = 0.9,
    is_correct: bool | None = None,
    min_value_correct: float | None = None,
    max_value_correct: float | None = None,
    min_value_wrong: float | None = None,
    max_value_wrong: float | None = None,
    **kwargs: Any,
) -> EvaluateResult:
    """Cosine-scaled length reward given whether the response is correct.

    Short correct answers score highest (top of ``correct_range``, falling to its bottom at
    ``max_length``); wrong answers score in ``wrong_range``, rising with length, so a wrong
    answer that shows its work is penalised a little less (as in reward-kit and open-r1).
    A correct answer always beats a wrong one when the ranges do not overlap. To judge
    correctness as well, use
    :func:`reward_kit.rewards.accuracy_length.cosine_scaled_accuracy_length_reward`.

    Args:
        messages: The conversation; the last assistant message (reasoning included) is measured.
        ground_truth: Not used.
        correctness: Whether the response is correct (a dataset column or a value another
            reward computed): True/False, or an accuracy score in [0, 1]. Required, unless
            ``is_correct`` is given.
        max_length: Length at which the reward reaches the end of its range.
        correct_range: ``(min, max)`` reward of correct responses.
        wrong_range: ``(min, max)`` reward of wrong responses; ``(-1.0, -0.5)`` for penalties.
        token_method: ``"whitespace"``, ``"characters"`` or ``"tokenizer"`` (see length_reward).
        tokenizer: For ``token_method="tokenizer"``.
        correctness_threshold: A numeric ``correctness`` at or above it counts as correct.
        is_correct: reward-kit's boolean form of ``correctness`` (wins when given).
        min_value_correct: reward-kit's name for ``correct_range[0]`` (likewise
            ``max_value_correct``, ``min_value_wrong``, ``max_value_wrong``).

    Returns:
        Metrics ``cosine_length`` (the score), ``length``/``token_count`` (the measured
        length) and ``correctness``.
    """
    if is_correct is not None:
        correctness = is_correct
    if isinstance(correctness, (int, float)) and not isinstance(correctness, bool):
        correctness = correctness >= correctness_threshold
    if not isinstance(correctness, bool):
        return EvaluateResult.invalid(
            f"cosine_length_reward needs correctness=True/False or a score, got {correctness!r}; "
            "cosine_scaled_accuracy_length_reward judges correctness itself"
        )
    bounds = {
        "min_value_correct": min_value_correct,
        "max_value_correct": max_value_correct,
        "min_value_wrong": min_value_wrong,
        "max_value_wrong": max_value_wrong,
    }
    try:
        correct, wrong = value_ranges(correct_range, wrong_range, bounds)
        length = measure(response_text(messages, drop_thinking=False), token_method, tokenizer)
        score = cosine_scaled_length(length, correctness, max_length, correct, wrong)
    except (RewardInputError, ValueError) as exc:
        return EvaluateResult.invalid(str(exc))
    verdict = "correct" if correctness else "wrong"
    reason = f"{verdict} response of length {length} ({token_method}) of max {max_length}"
    measured = MetricResult(score=float(length), reason=f"{token_method} length")
    metrics = {
        "cosine_length": MetricResult(score=score, reason=reason, success=correctness),
        "length": measured,
        "token_count": measured,
        "correctness": MetricResult(
            score=float(correctness), reason=f"given as {verdict}", success=correctness
        ),
    }
    return EvaluateResult(score=score, reason=reason, metrics=metrics)
