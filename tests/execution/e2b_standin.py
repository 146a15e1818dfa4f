"""A local stand-in for E2B: its control API and the code-interpreter's Jupyter endpoints.

It speaks the HTTP protocol the real ``e2b-code-interpreter`` SDK uses (``POST /v2/sandboxes``,
``DELETE /sandboxes/{id}``, ``POST /contexts``, ``DELETE /contexts/{id}``, streaming NDJSON from
``POST /execute``), so tests run the SDK's real code path. Code runs in a local subprocess;
this is a protocol double, not a sandbox, and only ever runs the tests' own snippets.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_RUNNER = r"""
import json, sys, traceback
source = sys.stdin.read()
try:
    exec(compile(source, "<cell>", "exec"), {"__name__": "__main__"})
except BaseException as error:
    sys.stdout.flush()
    sys.stderr.write("\0E2B-ERROR" + json.dumps({
        "name": type(error).__name__, "value": str(error), "traceback": traceback.format_exc()
    }))
"""


class StandInE2B(ThreadingHTTPServer):
    """The server; ``sandboxes`` maps live sandbox ids to their access tokens."""

    daemon_threads = True

    def __init__(self, api_key: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.api_key = api_key
        self.lock = threading.Lock()
        self.sandboxes: dict[str, str] = {}
        self.created: list[str] = []
        self.killed: list[str] = []
        self.contexts: dict[str, str] = {}
        self.max_live = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: StandInE2B
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"{}")

    def _send_json(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _sandbox_ok(self) -> bool:
        sandbox_id = self.headers.get("E2b-Sandbox-Id", "")
        token = self.server.sandboxes.get(sandbox_id)
        if token is None or self.headers.get("X-Access-Token", token) != token:
            self._send_json(502, {"message": f"sandbox {sandbox_id!r} not found"})
            return False
        return True

    def do_POST(self) -> None:
        body = self._body()
        if self.path == "/v2/sandboxes":
            if self.headers.get("X-API-KEY") != self.server.api_key:
                self._send_json(401, {"code": 401, "message": "Invalid API key"})
                return
            sandbox_id, token = f"sbx-{uuid.uuid4().hex[:10]}", uuid.uuid4().hex
            with self.server.lock:
                self.server.sandboxes[sandbox_id] = token
                self.server.created.append(sandbox_id)
                self.server.max_live = max(self.server.max_live, len(self.server.sandboxes))
            self._send_json(
                201,
                {
                    "templateID": body.get("templateID", "code-interpreter-v1"),
                    "sandboxID": sandbox_id,
                    "clientID": "stand-in",
                    "envdVersion": "0.2.4",
                    "envdAccessToken": token,
                },
            )
        elif self.path == "/contexts" and self._sandbox_ok():
            context_id = uuid.uuid4().hex
            language = body.get("language") or "python"
            self.server.contexts[context_id] = language
            self._send_json(200, {"id": context_id, "language": language, "cwd": "/home/user"})
        elif self.path == "/execute" and self._sandbox_ok():
            self._execute(body)
        elif self.path not in ("/contexts", "/execute"):
            self._send_json(404, {"message": f"no route {self.path}"})

    def do_DELETE(self) -> None:
        if self.path.startswith("/sandboxes/"):
            sandbox_id = self.path.rsplit("/", 1)[1]
            with self.server.lock:
                found = self.server.sandboxes.pop(sandbox_id, None)
                self.server.killed.append(sandbox_id)
            self.send_response(204 if found else 404)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path.startswith("/contexts/") and self._sandbox_ok():
            self.server.contexts.pop(self.path.rsplit("/", 1)[1], None)
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def _execute(self, body: dict[str, Any]) -> None:
        language = self.server.contexts.get(body.get("context_id") or "", "python")
        argv = [sys.executable, "-I", "-c", _RUNNER] if language == "python" else ["node", "-"]
        process = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        assert process.stdin and process.stdout and process.stderr
        process.stdin.write(body["code"].encode())
        process.stdin.close()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for line in iter(process.stdout.readline, b""):
                self._event({"type": "stdout", "text": line.decode()})
            stderr = process.stderr.read().decode()
            process.wait(timeout=60)
            stderr, _, error = stderr.partition("\0E2B-ERROR")
            if stderr:
                self._event({"type": "stderr", "text": stderr})
            if error:
                self._event({"type": "error", **json.loads(error)})
            elif process.returncode and language != "python":
                lines = stderr.strip().splitlines() or ["Error"]
                self._event(
                    {"type": "error", "name": "Error", "value": lines[-1], "traceback": stderr}
                )
            self._event({"type": "end_of_execution"})
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            process.kill()
            process.wait()
            process.stdout.close()
            process.stderr.close()

    def _event(self, event: dict[str, Any]) -> None:
        event.setdefault("timestamp", datetime.now(timezone.utc).isoformat())
        data = (json.dumps(event) + "\n").encode()
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()
