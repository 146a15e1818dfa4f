"""Math answers that must also follow a reasoning format: <think>...</think><answer>...</answer>.

Two verdicts, kept as the metrics ``format_reward`` (exactly that shape) and ``accuracy_reward``
(the content of ``<answer>`` is mathematically equivalent to the ground truth, checked by the
built-in ``math_reward``). The score is their average, as reward-kit documents this example;
with ``strict=True`` (``reward.params.strict: true``, as ``run_math_with_formatting.yaml`` sets)
it is 1.0 only when both hold, so a policy cannot earn half the reward by skipping the format.
"""

from __future__ import annotations

import re
from typing import Any

from reward_kit import EvaluateResult, Message, MetricResult, reward_function
from reward_kit.rewards.math import math_reward

FORMAT = re.compile(r"^\s*<think>(.+?)</think>\s*<answer>(.+?)</answer>\s*$", re.DOTALL)


@reward_function
async def evaluate(
    messages: list[Message], ground_truth: Any = None, strict: bool = False, **kwargs: Any
) -> EvaluateResult:
    """The mean of the format and accuracy verdicts (``strict``: 1.0 only when both hold)."""
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
        "format_reward": format_metric,
        "accuracy_reward": MetricResult(
            score=accuracy.score, reason=accuracy.reason or "", success=correct
        ),
    }
    if strict:
        score = 1.0 if match and correct else 0.0
    else:
        score = (format_metric.score + (1.0 if correct else 0.0)) / 2
    reason = f"format {'ok' if match else 'wrong'}; answer {'right' if correct else 'wrong'}"
    return EvaluateResult(score=score, reason=reason, metrics=metrics)
