"""Rewards used by the pipeline tests (module level, so worker processes can load them)."""

from __future__ import annotations

import re
from typing import Any

from reward_kit import EvaluateResult, Message, MetricResult, reward_function

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


@reward_function
def final_number_matches(
    messages: list[Message], ground_truth: Any = None, **kwargs: Any
) -> EvaluateResult:
    """1.0 when the last number in the response equals the ground truth, else 0.0."""
    numbers = _NUMBER.findall(messages[-1].text)
    if not numbers:
        return EvaluateResult(score=0.0, reason="no number in the response")
    correct = float(numbers[-1]) == float(ground_truth)
    return EvaluateResult(
        score=1.0 if correct else 0.0,
        reason=f"answered {numbers[-1]}, expected {ground_truth}",
        metrics={"accuracy": MetricResult(score=1.0 if correct else 0.0, success=correct)},
    )


@reward_function
def short_answer(messages: list[Message], max_words: int = 10, **kwargs: Any) -> EvaluateResult:
    """1.0 for a response of at most ``max_words`` words, 0.0 for a longer one."""
    words = len(messages[-1].text.split())
    return EvaluateResult(score=1.0 if words <= max_words else 0.0, reason=f"{words} words")


@reward_function
def fails_on_odd_ids(
    messages: list[Message], sample_number: int = 0, **kwargs: Any
) -> EvaluateResult:
    """Raises for odd ``sample_number`` columns: a reward that crashes on some samples."""
    if sample_number % 2:
        raise RuntimeError(f"cannot score sample {sample_number}")
    return EvaluateResult(score=1.0, reason="even")


@reward_function
def called_the_right_tool(
    messages: list[Message], ground_truth: Any = None, tools: Any = None, **kwargs: Any
) -> EvaluateResult:
    """1.0 when the response calls the tool named in the ground truth, and it was offered."""
    calls = messages[-1].tool_calls or []
    offered = {tool["function"]["name"] for tool in tools or []}
    names = [call.function.name for call in calls]
    correct = names == [ground_truth] and ground_truth in offered
    return EvaluateResult(score=1.0 if correct else 0.0, reason=f"called {names}")


@reward_function(mode="batch")
def above_group_mean(
    rollouts_messages: list[list[Message]], ground_truths: list[Any] | None = None, **kwargs: Any
) -> list[EvaluateResult]:
    """Group-relative: each response's last number minus the mean of its group's.

    The reason records the group the call got (its ground truths and size), and a ground truth
    of ``"fail"`` in the group makes the call raise.
    """
    truths = list(ground_truths or [])
    if "fail" in truths:
        raise RuntimeError("cannot score this group")
    values = [float(_NUMBER.findall(messages[-1].text)[-1]) for messages in rollouts_messages]
    mean = sum(values) / len(values)
    group = f"group {sorted(set(truths))} of {len(values)}"
    return [EvaluateResult(score=value - mean, reason=group) for value in values]
