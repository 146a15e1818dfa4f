"""The reward under test: the last number in the response must equal the ground truth."""

from __future__ import annotations

import re
from typing import Any

from reward_kit import EvaluateResult, Message, MetricResult, reward_function

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


@reward_function
def evaluate(messages: list[Message], ground_truth: Any = None, **kwargs: Any) -> EvaluateResult:
    """1.0 when the response's last number equals ``ground_truth``; invalid without a number."""
    numbers = _NUMBER.findall(messages[-1].text)
    if not numbers:
        return EvaluateResult.invalid("the response contains no number")
    answer, expected = float(numbers[-1]), float(ground_truth)
    concise = len(messages[-1].text) <= 80
    return EvaluateResult(
        score=float(answer == expected),
        reason=f"answered {numbers[-1]}, expected {ground_truth}",
        metrics={"concise": MetricResult(score=float(concise), reason="at most 80 characters")},
    )
