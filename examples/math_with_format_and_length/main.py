"""``concise``: a length reward written for this example, next to two built-in rewards.

It prefers short responses and says nothing about correctness on its own: the config weighs it
together with the built-in ``math_reward`` and ``format_reward`` (see
``conf/run_math_format_length.yaml``).
"""

from __future__ import annotations

import math
from typing import Any

from reward_kit import EvaluateResult, Message, reward_function


@reward_function
def concise(
    messages: list[Message], target_words: int = 40, max_words: int = 200, **kwargs: Any
) -> EvaluateResult:
    """1.0 up to ``target_words`` words, then a cosine decay to 0.0 at ``max_words``."""
    words = len(messages[-1].text.split())
    if words <= target_words:
        score = 1.0
    elif words >= max_words:
        score = 0.0
    else:
        progress = (words - target_words) / (max_words - target_words)
        score = 0.5 * (1.0 + math.cos(math.pi * progress))
    return EvaluateResult(score=score, reason=f"{words} words (target {target_words})")
