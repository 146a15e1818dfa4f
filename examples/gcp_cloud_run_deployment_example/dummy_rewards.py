"""The reward deployed by this example: small on purpose, so that the deployment is the point.

``hello_world_reward`` scores 1.0 when the response mentions "hello" (any case), else 0.0.
"""

from __future__ import annotations

from typing import Any

from reward_kit import EvaluateResult, Message, reward_function


@reward_function
def hello_world_reward(messages: list[Message], **kwargs: Any) -> EvaluateResult:
    """1.0 when the last message says hello."""
    text = messages[-1].text if messages else ""
    said = "hello" in text.lower()
    return EvaluateResult(score=float(said), reason="says hello" if said else "does not say hello")
