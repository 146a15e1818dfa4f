"""One rollout: the agent and the user take turns, tools run against the rollout's own state.

The agent's calls run in order, each answered by a tool message with its ``tool_call_id``,
until it answers with text alone (or ``max_steps`` assistant messages in this turn). Then the
next user turn comes from :class:`~reward_kit.agent.user.UserSide`; the rollout ends when there
is none (``agent_done``), the user says ``###STOP###`` (``user_stop``), or ``max_user_turns``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from reward_kit.agent._calls import call_tool
from reward_kit.agent.policy import Policy
from reward_kit.agent.tools import Tool
from reward_kit.agent.user import STOP, UserSide

__all__ = ["Limits", "Trajectory", "run_rollout"]


@dataclass(frozen=True)
class Limits:
    """Bounds of a rollout."""

    max_steps: int = 10
    """Assistant messages per user turn."""
    max_user_turns: int = 5
    """Follow-up user turns after the initial messages."""
    tool_timeout: float = 30.0
    """Seconds one tool call may take."""


@dataclass
class Trajectory:
    """What happened in one rollout."""

    messages: list[dict[str, Any]]
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    stop_reason: str = ""
    agent_steps: int = 0
    user_turns: int = 0
    generations: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    """Why the rollout could not finish (a model request failed), else None."""


async def run_rollout(
    initial_messages: list[dict[str, Any]],
    *,
    policy: Policy,
    user: UserSide,
    tools: dict[str, Tool],
    resource: Any,
    limits: Limits,
) -> Trajectory:
    """Play one rollout from ``initial_messages`` (sent unchanged, system message included)."""
    trajectory = Trajectory(copy.deepcopy(initial_messages))
    try:
        await _play(trajectory, policy, user, tools, resource, limits)
    except Exception as exc:  # a model request that failed for good: recorded, never hidden
        trajectory.stop_reason = "error"
        trajectory.error = f"{type(exc).__name__}: {exc}"
    return trajectory


async def _play(
    trajectory: Trajectory,
    policy: Policy,
    user: UserSide,
    tools: dict[str, Tool],
    resource: Any,
    limits: Limits,
) -> None:
    messages = trajectory.messages
    specs = [tool.to_openai() for tool in tools.values()]
    db = getattr(resource, "db", None)
    turn = 0
    while True:
        for step in range(1, limits.max_steps + 1):
            answer = await policy.next(messages, specs, turn=turn, step=step)
            messages.append(answer.message)
            trajectory.generations.append(answer.generation)
            trajectory.agent_steps += 1
            calls = answer.message.get("tool_calls") or []
            if not calls:
                break
            for call in calls:
                function = call.get("function") or {}
                outcome = await call_tool(
                    tools,
                    str(function.get("name")),
                    function.get("arguments"),
                    db=db,
                    resource=resource,
                    timeout=limits.tool_timeout,
                )
                record: dict[str, Any] = {
                    "user_turn": turn,
                    "step": step,
                    "name": outcome.name,
                    "arguments": outcome.arguments,
                    "ok": outcome.ok,
                    "latency_s": outcome.latency_s,
                }
                record["result" if outcome.ok else "error"] = (
                    outcome.result if outcome.ok else outcome.error
                )
                trajectory.tool_calls.append(record)
                messages.append(
                    {
                        "role": "tool",
                        "tool_call_id": call.get("id"),
                        "name": outcome.name,
                        "content": outcome.message_content(),
                    }
                )
        else:
            trajectory.stop_reason = "max_steps"
            return
        if turn >= limits.max_user_turns:
            trajectory.stop_reason = "max_user_turns"
            return
        turn += 1
        text = await user.next(messages, turn)
        if text is None:
            trajectory.stop_reason = "agent_done"
            return
        trajectory.user_turns = turn
        if STOP in text:
            trajectory.stop_reason = "user_stop"
            return
        messages.append({"role": "user", "content": text})
