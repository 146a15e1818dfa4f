"""Who writes the agent's turns: a model behind the ``llm`` client, or scripted mock responses.

Each model request carries a cache salt of task, rollout, user turn and step, so the rollouts
of one task never collapse into one cached answer, and a rerun replays every turn from cache.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from reward_kit.agent.tools import Tool
from reward_kit.llm import ChatClient

__all__ = ["MockPolicy", "ModelPolicy", "Policy", "Turn", "example_arguments"]

_log = logging.getLogger("reward_kit.agent")


@dataclass
class Turn:
    """One assistant message and how it was obtained (model, usage, latency, cache)."""

    message: dict[str, Any]
    generation: dict[str, Any] = field(default_factory=dict)


class Policy(Protocol):
    """Writes the agent's next message given the conversation and the tools."""

    async def next(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]], *, turn: int, step: int
    ) -> Turn:
        """The next assistant message."""


@dataclass
class ModelPolicy:
    """The agent as a model served by an OpenAI-compatible API.

    Args:
        client: The run's one chat client (its cache, retries and concurrency limit).
        model: The model name the server knows.
        temperature: Sampling temperature (0 by default: rollouts differ by salt, not luck).
        max_tokens: Longest answer, or None for the server's default.
        salt: Identifies the rollout (task id and index) in the cache key.
    """

    client: ChatClient
    model: str
    temperature: float | None = 0.0
    max_tokens: int | None = None
    salt: str = ""

    async def next(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]], *, turn: int, step: int
    ) -> Turn:
        """Ask the model; its message comes back as an OpenAI-style dict."""
        _log.debug("agent request: model=%s messages=%s", self.model, json.dumps(messages)[:2000])
        result = await self.client.chat(
            messages,
            model=self.model,
            temperature=self.temperature,
            max_tokens=self.max_tokens,
            tools=tools or None,
            cache_salt=f"{self.salt}:turn{turn}:step{step}",
        )
        message = result.message.model_dump(mode="json", exclude_none=True)
        message.setdefault("content", None)
        _log.debug("agent response: %s", json.dumps(message)[:2000])
        generation = {
            "model": result.model,
            "usage": result.usage.model_dump(),
            "latency_s": result.latency_s,
            "cached": result.cached,
        }
        return Turn(message, generation)


def example_arguments(tool: Tool) -> dict[str, Any]:
    """Arguments built from a tool's schema: each default, else the first enum value, else empty."""
    empty = {"string": "", "integer": 0, "number": 0, "boolean": False, "array": [], "object": {}}
    arguments: dict[str, Any] = {}
    for name, schema in tool.parameters.get("properties", {}).items():
        if "default" in schema:
            arguments[name] = schema["default"]
        elif schema.get("enum"):
            arguments[name] = schema["enum"][0]
        else:
            kind = schema.get("type", "string")
            arguments[name] = empty.get(kind if isinstance(kind, str) else kind[0], "")
    return arguments


class MockPolicy:
    """Plays a row's ``mock_responses`` in order; offline, for ``--test-mode --mock-response``.

    Without mocks it calls the first tool once with :func:`example_arguments`, then answers
    with text. Once the mocks run out it answers with text, ending the turn.
    """

    def __init__(self, mocks: list[dict[str, Any]], tools: dict[str, Tool], task_id: str) -> None:
        self._task_id = task_id
        if not mocks and tools:
            first = next(iter(tools.values()))
            call = {
                "id": "mock_call_0",
                "type": "function",
                "function": {"name": first.name, "arguments": json.dumps(example_arguments(first))},
            }
            mocks = [{"role": "assistant", "content": None, "tool_calls": [call]}]
            mocks.append({"role": "assistant", "content": f"Called {first.name}."})
        self._mocks = list(mocks)
        self._played = 0

    async def next(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]], *, turn: int, step: int
    ) -> Turn:
        """The next mock (numbering tool call ids when the mock gives none)."""
        if self._played >= len(self._mocks):
            message: dict[str, Any] = {"role": "assistant", "content": "(mock responses done)"}
        else:
            message = {"role": "assistant", **self._mocks[self._played]}
            calls = message.get("tool_calls") or []
            message["tool_calls"] = [
                {"type": "function", "id": f"mock_{self._played}_{index}", **call}
                for index, call in enumerate(calls)
            ] or None
            for call in message["tool_calls"] or []:
                arguments = call["function"].get("arguments", {})
                if not isinstance(arguments, str):
                    call["function"]["arguments"] = json.dumps(arguments)
            if message["tool_calls"] is None:
                del message["tool_calls"]
            message.setdefault("content", None)
        self._played += 1
        return Turn(message, {"model": "mock", "usage": None, "latency_s": 0.0, "cached": False})
