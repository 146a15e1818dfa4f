"""A custom metric: rewards responses whose length in words is within a target range.

Used by ``reward-kit preview --metrics-folders word_count=examples/metrics/word_count``. The
range comes from the ``min_words`` / ``max_words`` keyword arguments (dataset columns or
``reward.params``), defaulting to 5..200 words.
"""

from __future__ import annotations

from typing import Any

from reward_kit import EvaluateResult, Message, MetricResult, reward_function


@reward_function
def evaluate(
    messages: list[Message],
    ground_truth: Any = None,
    min_words: int = 5,
    max_words: int = 200,
    **kwargs: Any,
) -> EvaluateResult:
    """1.0 when the last message has between ``min_words`` and ``max_words`` words, else less.

    Shorter responses get ``words / min_words``; longer ones lose credit linearly until twice
    ``max_words``, where they get 0.
    """
    if not messages or messages[-1].role != "assistant":
        return EvaluateResult.invalid("the last message is not an assistant response")
    words = len(messages[-1].text.split())
    if words < min_words:
        score = words / min_words
    elif words <= max_words:
        score = 1.0
    else:
        score = max(0.0, 1.0 - (words - max_words) / max_words)
    reason = f"{words} words (target {min_words}..{max_words})"
    return EvaluateResult(
        score=score,
        reason=reason,
        metrics={"word_count": MetricResult(score=score, reason=reason, success=score == 1.0)},
    )
