"""Two small rewards that the config combines with the built-in ``math_reward``.

``think_format`` checks the ``<think>...</think><answer>...</answer>`` shape; ``concise`` prefers
short responses. Neither says anything about correctness on its own: the config weighs them
together with ``math_reward`` (see ``conf/run_math_format_length.yaml``).
"""

from __future__ import annotations

import math
import re
from typing import Any

from reward_kit import EvaluateResult, Message, reward_function

FORMAT = re.compile(r"^\s*<think>(.+?)</think>\s*<answer>(.+?)</answer>\s*$", re.DOTALL)


@reward_function
def think_format(messages: list[Message], **kwargs: Any) -> EvaluateResult:
    """1.0 when the response is exactly ``<think>...</think>`` then ``<answer>...</answer>``."""
    ok = FORMAT.match(messages[-1].text) is not None
    return EvaluateResult(score=1.0 if ok else 0.0, reason="format ok" if ok else "wrong format")


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
