"""Repetition and diversity rewards: penalise looping text, reward varied wording."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from reward_kit.models import EvaluateResult, Message, MetricResult
from reward_kit.rewards._common import RewardInputError, response_text
from reward_kit.rewards._options import check_options
from reward_kit.rewards._text import ngrams, words
from reward_kit.typed_interface import reward_function

__all__ = ["diversity_reward", "get_ngrams", "repetition_penalty_reward"]

_DEFAULT_WEIGHTS = [0.2, 0.3, 0.5]


def get_ngrams(text: str, n: int) -> list[tuple[str, ...]]:
    """The word n-grams of ``text`` in order, as the repetition rewards count them.

    Words are lower-cased; characters of scripts written without spaces (Chinese, Japanese,
    Thai...) are words on their own.
    """
    return ngrams(words(text), n)


@reward_function
@check_options
def repetition_penalty_reward(
    messages: list[Message],
    ground_truth: Any = None,
    ngram_size: int = 3,
    max_penalty: float = 0.5,
    **kwargs: Any,
) -> EvaluateResult:
    """Penalise repeated n-grams: ``score = 1 - max_penalty * repetition``.

    ``repetition`` is the share of the response's word n-grams that repeat an earlier one
    (``1 - unique / total``), 0 for text without repeats and close to 1 for a loop. Words are
    lower-cased; Chinese, Japanese, Thai and similar scripts count one token per character.
    A response shorter than one n-gram has no repetition.

    Args:
        messages: The conversation; the last assistant message (reasoning included) is judged.
        ground_truth: Not used.
        ngram_size: Words per n-gram (at least 1).
        max_penalty: Penalty of a fully repetitive response (``>= 0``); 1.0 makes the score
            range 0..1. For open-r1's convention (0 down to a negative number) use
            ``score - 1``.

    Returns:
        Metrics ``repetition`` (the share that repeats), ``unique_ngram_ratio`` (the share
        that does not), ``repetition_penalty`` (the score) and ``ngrams`` (how many).
    """
    if ngram_size < 1:
        return EvaluateResult.invalid(f"ngram_size must be at least 1, got {ngram_size}")
    if not math.isfinite(max_penalty) or max_penalty < 0:
        return EvaluateResult.invalid(
            f"max_penalty must be a finite number >= 0, got {max_penalty}"
        )
    try:
        grams = ngrams(words(response_text(messages, drop_thinking=False)), ngram_size)
    except RewardInputError as exc:
        return EvaluateResult.invalid(str(exc))
    repetition = 1.0 - len(set(grams)) / len(grams) if grams else 0.0
    score = 1.0 - max_penalty * repetition
    reason = (
        f"{len(grams) - len(set(grams))} of {len(grams)} {ngram_size}-grams repeat "
        f"(repetition {repetition:.3f})"
        if grams
        else f"fewer than {ngram_size} words: no {ngram_size}-grams to repeat"
    )
    penalty = max_penalty * repetition
    metrics = {
        "repetition": MetricResult(score=repetition, reason=reason),
        "ngrams": MetricResult(score=float(len(grams)), reason=f"{ngram_size}-grams counted"),
        "unique_ngram_ratio": MetricResult(
            score=1.0 - repetition, reason=f"share of {ngram_size}-grams that are new"
        ),
        "repetition_penalty": MetricResult(score=score, reason=f"penalty {penalty:.3f} applied"),
    }
    return EvaluateResult(score=score, reason=reason, metrics=metrics)


@reward_function
@check_options
def diversity_reward(
    messages: list[Message],
    ground_truth: Any = None,
    ngram_sizes: Sequence[int] = (1, 2, 3),
    weights: Sequence[float] | None = None,
    **kwargs: Any,
) -> EvaluateResult:
    """Reward lexical diversity: the weighted mean of distinct-n ratios (unique / total n-grams).

    Each ratio is 1.0 when no n-gram repeats. A response too short to have any n-gram of a
    size gets 0 for that size, so a one-word answer cannot claim full diversity.

    Args:
        messages: The conversation; the last assistant message (reasoning included) is judged.
        ground_truth: Not used.
        ngram_sizes: The n-gram sizes to measure.
        weights: Weight of each size (normalised to sum 1). By default reward-kit's 0.2, 0.3,
            0.5 for up to three sizes (longer n-grams weigh more), equal weights for more.

    Returns:
        Metrics ``distinct_<n>`` per size (reward-kit: ``ngram_<n>``) and ``diversity``.
    """
    sizes = list(ngram_sizes)
    if not sizes or any(not isinstance(n, int) or n < 1 for n in sizes):
        return EvaluateResult.invalid(f"ngram_sizes must be positive integers, got {ngram_sizes!r}")
    if weights is None:
        chosen = _DEFAULT_WEIGHTS[: len(sizes)] if len(sizes) <= 3 else [1.0] * len(sizes)
    else:
        chosen = [float(w) for w in weights]
    if len(chosen) != len(sizes) or any(not math.isfinite(w) or w < 0 for w in chosen):
        return EvaluateResult.invalid("weights must be one non-negative number per ngram size")
    if sum(chosen) <= 0:
        return EvaluateResult.invalid("weights must not all be zero")
    try:
        tokens = words(response_text(messages, drop_thinking=False))
    except RewardInputError as exc:
        return EvaluateResult.invalid(str(exc))
    metrics: dict[str, MetricResult] = {}
    for size in sizes:
        grams = ngrams(tokens, size)
        ratio = len(set(grams)) / len(grams) if grams else 0.0
        why = f"{len(set(grams))} distinct of {len(grams)} {size}-grams" if grams else "too short"
        metrics[f"distinct_{size}"] = MetricResult(score=ratio, reason=why)
        metrics[f"ngram_{size}"] = metrics[f"distinct_{size}"]
    score = sum(
        w * metrics[f"distinct_{n}"].score for n, w in zip(sizes, chosen, strict=True)
    ) / sum(chosen)
    reason = ", ".join(f"distinct_{n} {metrics[f'distinct_{n}'].score:.3f}" for n in sizes)
    metrics["diversity"] = MetricResult(score=score, reason=f"weighted distinct-n {score:.3f}")
    return EvaluateResult(score=score, reason=f"diversity {score:.3f} ({reason})", metrics=metrics)
