"""Math answers that must also follow a reasoning format: <think>...</think><answer>...</answer>.

The score is 1.0 only when the response has exactly that shape and the content of ``<answer>``
is mathematically equivalent to the ground truth (checked by the built-in ``math_reward``). A
correct number outside the required format scores 0: the format is part of the task, and a
reward that let it slide would teach the policy to skip it.
"""

from __future__ import annotations

import re
from typing import Any

from reward_kit import EvaluateResult, Message, MetricResult, reward_function
from reward_kit.rewards.math import math_reward

FORMAT = re.compile(r"^\s*<think>(.+?)</think>\s*<answer>(.+?)</answer>\s*$", re.DOTALL)


@reward_function
async def evaluate(
    messages: list[Message], ground_truth: Any = None, **kwargs: Any
) -> EvaluateResult:
    """1.0 for a well-formatted response whose answer is right, else 0.0 (with both metrics)."""
    response = messages[-1].text
    match = FORMAT.match(response)
    format_metric = MetricResult(
        score=1.0 if match else 0.0,
        reason="<think>...</think><answer>...</answer>" if match else "not in the required format",
        success=match is not None,
    )
    answer_only = [
        *messages[:-1],
        Message(role="assistant", content=match.group(2) if match else response),
    ]
    accuracy = await math_reward.acall(messages=answer_only, ground_truth=ground_truth)
    if not accuracy.is_score_valid:
        return EvaluateResult.invalid(accuracy.error or "math_reward could not evaluate")
    correct = accuracy.score == 1.0
    metrics = {
        "format": format_metric,
        "accuracy": MetricResult(
            score=accuracy.score, reason=accuracy.reason or "", success=correct
        ),
    }
    score = 1.0 if match and correct else 0.0
    reason = f"format {'ok' if match else 'wrong'}; answer {'right' if correct else 'wrong'}"
    return EvaluateResult(score=score, reason=reason, metrics=metrics)
