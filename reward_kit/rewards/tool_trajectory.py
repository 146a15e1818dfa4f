"""A step-level reward for multi-turn tool use: each assistant turn judged on its tool calls.

Agentic RL needs to know *which* turn went wrong, not only whether the episode did. This reward
compares the tool calls of every assistant turn with the calls expected at that turn and
reports each turn as a :class:`~reward_kit.models.StepOutput` (``base_reward`` 1.0 when the
turn's calls match exactly, else 0.0); :mod:`reward_kit.steps` turns them into returns.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from reward_kit.models import EvaluateResult, Message, MetricResult, StepOutput
from reward_kit.rewards._common import RewardInputError
from reward_kit.rewards._options import check_options
from reward_kit.rewards._tool_calls import (
    Call,
    ToolCallFormatError,
    expected_calls,
    message_calls,
)
from reward_kit.typed_interface import reward_function

__all__ = ["tool_trajectory_reward"]


def _expected_turns(ground_truth: Any) -> list[list[Call]]:
    """Expected calls per assistant turn, from ``{"turns": [...]}`` or a list of turns."""
    turns = ground_truth.get("turns") if isinstance(ground_truth, dict) else ground_truth
    if not isinstance(turns, list) or not turns:
        raise RewardInputError(
            "ground_truth must list the expected calls of each assistant turn: "
            '{"turns": [[call, ...], [call, ...]]} or [[call, ...], ...]'
        )
    expected = []
    for index, turn in enumerate(turns):
        try:
            expected.append(expected_calls(turn))
        except RewardInputError as exc:
            raise RewardInputError(f"ground_truth turn {index}: {exc}") from None
    return expected


def _shown(calls: list[Call]) -> str:
    return ", ".join(call.show() for call in calls) or "no calls"


def _judge_turn(
    index: int, given: list[Call] | str | None, expected: list[Call] | None, order_matters: bool
) -> StepOutput:
    """One turn's step: 1.0 when its calls are exactly the expected ones."""
    if given is None:
        return StepOutput(step_index=index, base_reward=0.0, reason="the turn never came")
    if isinstance(given, str):
        return StepOutput(step_index=index, base_reward=0.0, reason=f"malformed call: {given}")
    if expected is None:
        reason = f"an extra turn, calling {_shown(given)}"
        return StepOutput(step_index=index, base_reward=0.0, reason=reason)
    if order_matters:
        matched = [c.canonical() for c in given] == [c.canonical() for c in expected]
    else:
        matched = Counter(c.canonical() for c in given) == Counter(c.canonical() for c in expected)
    reason = "calls match" if matched else f"expected {_shown(expected)}; got {_shown(given)}"
    return StepOutput(step_index=index, base_reward=float(matched), reason=reason)


@reward_function
@check_options
def tool_trajectory_reward(
    messages: list[Message],
    ground_truth: Any = None,
    order_matters: bool = False,
    partial_credit: bool = False,
    **kwargs: Any,
) -> EvaluateResult:
    """Judge every assistant turn's tool calls against the calls expected at that turn.

    Args:
        messages: The whole trajectory; each assistant message is one step, in order.
        ground_truth: The expected calls of each assistant turn: ``{"turns": [turn, ...]}`` or
            a list of turns, each in any form :func:`exact_tool_match_reward` accepts for one
            response (``[]`` for a turn that should call nothing, e.g. the final answer).
        order_matters: Require each turn's calls in the expected order.
        partial_credit: Score the share of turns that match; by default 1.0 only when every
            turn matches and there are no missing or extra turns.

    Returns:
        The score, a ``turns_matched`` metric, and one step output per turn (expected or
        made), whose ``base_reward`` is 1.0 for a matching turn.
    """
    try:
        expected = _expected_turns(ground_truth)
    except RewardInputError as exc:
        return EvaluateResult.invalid(str(exc))
    given: list[list[Call] | str] = []
    for message in messages:
        if message.role == "assistant":
            try:
                given.append(message_calls(message))
            except ToolCallFormatError as exc:
                given.append(str(exc))
    if not given:
        return EvaluateResult.invalid("the conversation has no assistant turn to judge")
    steps = [
        _judge_turn(
            index,
            given[index] if index < len(given) else None,
            expected[index] if index < len(expected) else None,
            order_matters,
        )
        for index in range(max(len(given), len(expected)))
    ]
    matched = sum(step.base_reward for step in steps)
    share = matched / len(steps)
    score = share if partial_credit else float(matched == len(steps))
    first_wrong = next((step for step in steps if step.base_reward == 0.0), None)
    reason = (
        f"all {len(steps)} turns match"
        if first_wrong is None
        else f"{int(matched)} of {len(steps)} turns match; turn {first_wrong.step_index}: "
        f"{first_wrong.reason}"
    )
    metric = MetricResult(score=share, reason=reason, success=first_wrong is None)
    return EvaluateResult(
        score=score, reason=reason, metrics={"turns_matched": metric}, step_outputs=steps
    )
