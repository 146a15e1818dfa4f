"""A scriptable evaluator HTTP server on 127.0.0.1, for testing remote reward calls.

It speaks the wire format (``POST`` an ``EvaluationRequest``, get an ``EvaluateResult``) and can
be told to answer the next requests with errors, delays or malformed bodies. Other methods
(``GET``, ``PUT``, ``DELETE``) are scripted the same way, for testing any HTTP client.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted answer: status, body (JSON-encoded unless bytes), headers, delay."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class EvaluatorStub:
    """State shared with the handler: scripted replies and what was received."""

    url: str = ""
    script: deque[Reply] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)

    def default_reply(self, body: Any) -> Reply:
        """Score 1.0 when the last message equals the ground truth, else 0.0 (``{}`` if no
        conversation came)."""
        if not isinstance(body, dict) or "messages" not in body:
            return Reply(body={})
        answer = body["messages"][-1].get("content")
        score = 1.0 if answer == body.get("ground_truth") else 0.0
        return Reply(body={"score": score, "reason": f"remote saw {answer!r}"})


def _handler(stub: EvaluatorStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output quiet."""

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw or b"null")
            except ValueError:
                body = raw
            stub.requests.append(body)
            stub.headers.append({k.lower(): v for k, v in self.headers.items()})
            reply = stub.script.popleft() if stub.script else stub.default_reply(body)
            time.sleep(reply.delay)
            payload = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body)
            data = payload.encode() if isinstance(payload, str) else payload
            try:
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting, as timeout tests make it do

        do_GET = do_PUT = do_DELETE = do_POST

    return Handler


@contextmanager
def running_evaluator_stub() -> Iterator[EvaluatorStub]:
    """Start the stub on a free port of 127.0.0.1 and stop it afterwards."""
    stub = EvaluatorStub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stub.url = f"http://127.0.0.1:{server.server_address[1]}/evaluate"
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
