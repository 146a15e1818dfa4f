"""Running one tool call: arguments checked against the schema, a time limit, errors as data.

Every failure (unknown tool, arguments that are not JSON or break the schema, an exception, a
time-out) becomes ``{"error": ...}`` for the agent to read; none ends the rollout.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import jsonschema  # type: ignore[import-untyped]

from reward_kit.agent.resources import DB, AsyncDB
from reward_kit.agent.tools import Tool

__all__ = ["ToolOutcome", "call_tool", "result_text"]

_log = logging.getLogger("reward_kit.agent")


@dataclass
class ToolOutcome:
    """What one tool call did: its decoded arguments, result or error, and time taken."""

    name: str
    arguments: Any
    ok: bool
    result: Any = None
    error: str | None = None
    latency_s: float = 0.0

    def message_content(self) -> str:
        """The tool message's content: the result as JSON (or text), or ``{"error": ...}``."""
        return result_text(self.result) if self.ok else json.dumps({"error": self.error})


def result_text(value: Any) -> str:
    """A tool result as JSON, falling back to ``str`` for what JSON cannot hold."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)


def _arguments(raw: Any) -> Any:
    if raw is None or raw == "":
        return {}
    return json.loads(raw) if isinstance(raw, str) else raw


async def call_tool(
    tools: dict[str, Tool],
    name: str,
    raw_arguments: Any,
    *,
    db: DB | None,
    resource: Any,
    timeout: float,
) -> ToolOutcome:
    """Run the tool ``name`` with the model's ``raw_arguments`` (a JSON string)."""
    started = time.perf_counter()
    outcome = await _call(tools, name, raw_arguments, db, resource, timeout)
    outcome.latency_s = time.perf_counter() - started
    if db is not None:
        db.commit()  # a tool's writes are kept even when it failed half-way, as in production
    _log.debug(
        "tool %s(%s) -> %s",
        name,
        raw_arguments,
        outcome.message_content()[:500],
    )
    return outcome


async def _call(
    tools: dict[str, Tool],
    name: str,
    raw_arguments: Any,
    db: DB | None,
    resource: Any,
    timeout: float,
) -> ToolOutcome:
    tool = tools.get(name)
    if tool is None:
        known = ", ".join(sorted(tools)) or "none"
        return ToolOutcome(
            name, raw_arguments, False, error=f"unknown tool {name!r} (tools: {known})"
        )
    try:
        arguments = _arguments(raw_arguments)
    except json.JSONDecodeError as exc:
        return ToolOutcome(name, raw_arguments, False, error=f"arguments are not JSON: {exc}")
    try:
        jsonschema.validate(arguments, tool.parameters)
    except (jsonschema.ValidationError, jsonschema.SchemaError) as exc:
        return ToolOutcome(name, arguments, False, error=f"invalid arguments: {exc.message}")
    injected: dict[str, Any] = {}
    if "db" in tool.injects:
        injected["db"] = AsyncDB(db) if tool.is_async and db is not None else db
    if "resource" in tool.injects:
        injected["resource"] = resource
    try:
        if tool.is_async:
            result = await asyncio.wait_for(tool.func(**arguments, **injected), timeout)
        else:
            call = asyncio.to_thread(tool.func, **arguments, **injected)
            result = await asyncio.wait_for(call, timeout)
    except (asyncio.TimeoutError, TimeoutError):
        return ToolOutcome(name, arguments, False, error=f"tool timed out after {timeout:g} s")
    except Exception as exc:
        return ToolOutcome(name, arguments, False, error=f"{type(exc).__name__}: {exc}")
    return ToolOutcome(name, arguments, True, result=result)
