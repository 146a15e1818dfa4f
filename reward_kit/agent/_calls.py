"""Running one tool call: arguments checked against the schema, a time limit, errors as data.

Every failure (unknown tool, arguments that are not JSON or break the schema, an exception, a
time-out) becomes ``{"error": ...}`` for the agent to read; none ends the rollout.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
import threading
import time
from collections.abc import Callable
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


def _in_daemon_thread(
    func: Callable[..., Any], kwargs: dict[str, Any], name: str
) -> asyncio.Future[Any]:
    """Run a sync tool in a thread of its own that never holds up the process's exit.

    A thread cannot be stopped: a tool past its time limit goes on in the background, and with
    ``asyncio.to_thread`` the interpreter would wait for it at exit.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()
    context = contextvars.copy_context()

    def settle(value: Any, error: BaseException | None) -> None:
        if future.done():  # given up on (timed out)
            return
        if error is None:
            future.set_result(value)
        else:
            future.set_exception(error)

    def run() -> None:
        try:
            outcome: tuple[Any, BaseException | None] = (context.run(func, **kwargs), None)
        except BaseException as exc:  # handed to the caller, as asyncio.to_thread would
            outcome = (None, exc)
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits for it any more
            loop.call_soon_threadsafe(settle, *outcome)

    threading.Thread(target=run, name=f"reward-kit-tool-{name}", daemon=True).start()
    return future


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
            call = _in_daemon_thread(tool.func, {**arguments, **injected}, name)
            result = await asyncio.wait_for(call, timeout)
    except (asyncio.TimeoutError, TimeoutError):
        return ToolOutcome(name, arguments, False, error=f"tool timed out after {timeout:g} s")
    except Exception as exc:
        return ToolOutcome(name, arguments, False, error=f"{type(exc).__name__}: {exc}")
    return ToolOutcome(name, arguments, True, result=result)
