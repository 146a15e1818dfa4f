"""The user side of a rollout: scripted follow-up turns, then (optionally) a simulated user.

The simulated user is a model given the row's persona and the conversation seen from the other
side: roles flipped, tool traffic and the agent's system prompt removed, no tools. It writes
only the next user message, or ``###STOP###`` when the goal is met or cannot be.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from reward_kit.llm import ChatClient
from reward_kit.models import message_text

__all__ = ["STOP", "SimulatedUser", "UserSide", "sim_user_view"]

STOP = "###STOP###"
_INSTRUCTION = (
    "You are playing the user in a conversation with an assistant. Write only the next user "
    f"message. Reply {STOP} when the goal is met or impossible."
)
_log = logging.getLogger("reward_kit.agent")


def sim_user_view(persona: str, history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The simulated user's request: persona as system prompt, the history with roles flipped."""
    view: list[dict[str, Any]] = [{"role": "system", "content": f"{persona}\n\n{_INSTRUCTION}"}]
    flip = {"user": "assistant", "assistant": "user"}
    for message in history:
        role = message.get("role")
        text = message_text(message) if role in flip else ""
        if text:  # system and tool messages, and assistant turns that only call tools, go
            view.append({"role": flip[str(role)], "content": text})
    return view


@dataclass
class SimulatedUser:
    """A model playing the user.

    Args:
        client: The run's chat client.
        model: The simulated user's model.
        persona: The row's ``sim_user_prompt``.
        salt: Identifies the rollout in the cache key.
    """

    client: ChatClient
    model: str
    persona: str
    salt: str = ""
    temperature: float | None = 0.0

    async def reply(self, history: list[dict[str, Any]], turn: int) -> str:
        """The next user message (may contain the stop marker)."""
        messages = sim_user_view(self.persona, history)
        _log.debug(
            "sim-user request: model=%s messages=%s", self.model, json.dumps(messages)[:2000]
        )
        result = await self.client.chat(
            messages,
            model=self.model,
            temperature=self.temperature,
            cache_salt=f"{self.salt}:user{turn}",
        )
        _log.debug("sim-user response: %s", result.text[:2000])
        return result.text


@dataclass
class UserSide:
    """Where the next user turn comes from: the row's ``user_turns``, then the simulated user."""

    scripted: list[str] = field(default_factory=list)
    simulated: SimulatedUser | None = None

    async def next(self, history: list[dict[str, Any]], turn: int) -> str | None:
        """The user's message for turn ``turn`` (1-based), or None when there is no user left."""
        if turn - 1 < len(self.scripted):
            return self.scripted[turn - 1]
        if self.simulated is None:
            return None
        return await self.simulated.reply(history, turn)
