"""A scriptable stand-in for an OpenAI-compatible chat-completions server, over real HTTP.

Pure asyncio HTTP/1.1 with keep-alive, so it costs little per request and does not limit what a
benchmark measures. Tests script it per request (latency, 429 with Retry-After, 5xx, hangs,
dropped connections, malformed bodies, or any answer from a responder function), and it records
every request it received and the most requests it had in flight at once.

Use in tests through the ``openai_stub`` fixture (import it into a ``conftest.py``)::

    def test_something(openai_stub):
        openai_stub.enqueue(rate_limited(retry_after="1"))     # first request gets a 429
        openai_stub.responder = lambda request: "42"           # the rest answer "42"
        client = ChatClient(base_url=openai_stub.url, api_key_env=None)

Run standalone (benchmarks): ``python -m tests._servers.openai_stub --latency 0.3``; it prints
``READY <port>`` once listening.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import inspect
import json
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import pytest

__all__ = [
    "OpenAIStub",
    "RecordedRequest",
    "Reply",
    "completion",
    "dropped",
    "error",
    "hanging",
    "malformed",
    "openai_stub",
    "rate_limited",
    "server_error",
]


@dataclass
class Reply:
    """What the stub answers to one request.

    Attributes:
        status: HTTP status.
        body: A dict (sent as JSON), text or bytes (sent as they are).
        headers: Extra response headers.
        delay: Seconds to wait before answering; ``None`` uses the stub's ``latency``.
        hang: Never answer (until the client gives up and closes the connection).
        drop: Close the connection without answering.
    """

    status: int = 200
    body: dict[str, Any] | str | bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float | None = None
    hang: bool = False
    drop: bool = False


@dataclass
class RecordedRequest:
    """A request as the stub received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    received_at: float

    @property
    def json(self) -> Any:
        """The body decoded as JSON."""
        return json.loads(self.body)

    @property
    def last_user_text(self) -> str:
        """Text of the last user message of a chat request ("" if there is none)."""
        for message in reversed(self.json.get("messages", [])):
            if message.get("role") == "user":
                content = message.get("content")
                if isinstance(content, list):
                    return " ".join(p.get("text", "") for p in content if p.get("type") == "text")
                return content or ""
        return ""


Responder = Callable[[RecordedRequest], "Reply | dict[str, Any] | str | Awaitable[Any] | None"]


def completion(
    *contents: str | None,
    tool_calls: list[dict[str, Any]] | None = None,
    finish_reason: str | None = None,
    model: str = "stub-model",
    usage: dict[str, int] | None = None,
) -> dict[str, Any]:
    """A chat-completion body with one choice per content (tool calls go on each choice)."""
    choices = []
    for index, content in enumerate(contents or ("",)):
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if tool_calls is not None:
            message["tool_calls"] = tool_calls
        reason = finish_reason or ("tool_calls" if tool_calls else "stop")
        choices.append({"index": index, "message": message, "finish_reason": reason})
    completion_tokens = sum(len((c or "").split()) for c in contents)
    return {
        "id": f"chatcmpl-stub-{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": choices,
        "usage": usage
        or {
            "prompt_tokens": 5,
            "completion_tokens": completion_tokens,
            "total_tokens": 5 + completion_tokens,
        },
    }


def error(status: int, message: str, **headers: str) -> Reply:
    """An error in OpenAI's body shape: ``{"error": {"message": ...}}``."""
    return Reply(status, {"error": {"message": message, "type": "stub_error"}}, headers)


def rate_limited(retry_after: str | float | None = None) -> Reply:
    """HTTP 429, with a ``Retry-After`` header when given (seconds or an HTTP date)."""
    headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
    return error(429, "rate limit exceeded", **headers)


def server_error(status: int = 500) -> Reply:
    """A 5xx error."""
    return error(status, "internal server error")


def malformed(body: bytes = b'{"choices": [{"message": {"role": "assist') -> Reply:
    """A 200 whose body is not valid JSON (a truncated completion by default)."""
    return Reply(200, body)


def hanging() -> Reply:
    """Accept the request and never answer."""
    return Reply(hang=True)


def dropped() -> Reply:
    """Close the connection without answering."""
    return Reply(drop=True)


def echo(request: RecordedRequest) -> dict[str, Any]:
    """The default answer: ``"echo: <last user text>"``, one choice per requested ``n``."""
    n = int(request.json.get("n", 1))
    text = f"echo: {request.last_user_text}"
    return completion(*[text if n == 1 else f"{text} #{i}" for i in range(n)])


class OpenAIStub:
    """An OpenAI-compatible chat server on 127.0.0.1 (a free port unless ``port`` is given).

    Args:
        latency: Seconds every answer waits (unless a ``Reply`` sets its own ``delay``).
        responder: Decides the answer of each request not covered by the script: returns a
            ``Reply``, a completion dict, the assistant's text, or ``None`` for :func:`echo`.
        capacity: When set, a request arriving while more than this many are in flight gets a
            429 (with ``Retry-After: capacity_retry_after`` if that is set).
        capacity_retry_after: See ``capacity``.
    """

    def __init__(
        self,
        *,
        latency: float = 0.0,
        responder: Responder | None = None,
        capacity: int | None = None,
        capacity_retry_after: str | None = None,
        port: int = 0,
    ) -> None:
        self.latency = latency
        self.responder = responder
        self.capacity = capacity
        self.capacity_retry_after = capacity_retry_after
        self.port = port
        self.requests: list[RecordedRequest] = []
        """Every request received, in arrival order."""
        self.connections = 0
        """TCP connections accepted (keep-alive reuses them)."""
        self.in_flight = 0
        self.max_in_flight = 0
        self.in_flight_timeline: list[tuple[float, int]] = []
        self._script: deque[Reply] = deque()
        self._server: asyncio.Server | None = None
        self._stopping: asyncio.Event | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        """Base URL to give a client (``http://127.0.0.1:<port>/v1``)."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """The chat-completion requests received so far."""
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def enqueue(self, *replies: Reply) -> None:
        """Answer the next requests, in arrival order, with these replies."""
        self._script.extend(replies)

    def reset(self) -> None:
        """Forget recorded requests, counters, the script and the responder."""
        self.requests.clear()
        self.in_flight_timeline.clear()
        self.max_in_flight = 0
        self.connections = 0
        self._script.clear()
        self.responder = None
        self.latency = 0.0
        self.capacity = None

    async def start(self) -> None:
        """Listen on 127.0.0.1 in the running loop."""
        self._stopping = asyncio.Event()
        self._server = await asyncio.start_server(
            self._serve_connection, "127.0.0.1", self.port, backlog=2048
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening and end every open connection."""
        if self._server is None or self._stopping is None:
            return
        self._stopping.set()
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()
        self._server = None

    @contextlib.contextmanager
    def serve_in_thread(self) -> Iterator[OpenAIStub]:
        """Run the stub on its own event loop thread for the duration of the block."""
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self.start())
            ready.set()
            loop.run_forever()

        thread = threading.Thread(target=run, name="openai-stub", daemon=True)
        thread.start()
        if not ready.wait(10):
            raise RuntimeError("the OpenAI stub did not start within 10 s")
        try:
            yield self
        finally:
            asyncio.run_coroutine_threadsafe(self.stop(), loop).result(10)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
            loop.close()

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.connections += 1
        try:
            while await self._serve_one(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _serve_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Read and answer one request; False when the connection should end."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return False
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, path, _ = request_line.split(" ", 2)
        headers = {}
        for line in header_lines:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        request = RecordedRequest(method, path, headers, body, time.monotonic())
        self.requests.append(request)
        self._count(+1)
        try:
            reply = await self._decide(request)
            delay = self.latency if reply.delay is None else reply.delay
            if delay:
                await asyncio.sleep(delay)
            if reply.drop:
                return False
            if reply.hang:
                await self._hang(reader)
                return False
            writer.write(_encode(reply))
            await writer.drain()
        finally:
            self._count(-1)
        return headers.get("connection", "").lower() != "close"

    async def _decide(self, request: RecordedRequest) -> Reply:
        if not request.path.endswith("/chat/completions") or request.method != "POST":
            return error(404, f"no route for {request.method} {request.path}")
        if self._script:
            return self._script.popleft()
        if self.capacity is not None and self.in_flight > self.capacity:
            return rate_limited(self.capacity_retry_after)
        answer = self.responder(request) if self.responder is not None else None
        if inspect.isawaitable(answer):
            answer = await answer
        if answer is None:
            answer = echo(request)
        if isinstance(answer, str):
            answer = completion(*[answer] * int(request.json.get("n", 1)))
        if isinstance(answer, dict):
            answer = Reply(200, answer)
        return answer

    async def _hang(self, reader: asyncio.StreamReader) -> None:
        """Wait until the client closes the connection or the stub stops."""
        assert self._stopping is not None
        closed = asyncio.ensure_future(reader.read())
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({closed, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            closed.cancel()
            stopping.cancel()

    def _count(self, change: int) -> None:
        self.in_flight += change
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        self.in_flight_timeline.append((time.monotonic(), self.in_flight))


def _encode(reply: Reply) -> bytes:
    body = reply.body
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    elif isinstance(body, str):
        body = body.encode()
    reason = (
        HTTPStatus(reply.status).phrase if reply.status in HTTPStatus._value2member_map_ else ""
    )
    lines = [f"HTTP/1.1 {reply.status} {reason}", "Content-Type: application/json"]
    lines += [f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in reply.headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


@pytest.fixture
def openai_stub() -> Iterator[OpenAIStub]:
    """A running :class:`OpenAIStub` for one test."""
    with OpenAIStub().serve_in_thread() as stub:
        yield stub


def main() -> None:
    """Serve until killed; print ``READY <port>`` once listening."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    async def serve() -> None:
        stub = OpenAIStub(latency=args.latency, port=args.port)
        await stub.start()
        print(f"READY {stub.port}", flush=True)
        await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())


if __name__ == "__main__":
    main()
