"""A local stand-in for E2B: its control API and the code-interpreter's Jupyter endpoints.

It speaks the HTTP protocol the real ``e2b-code-interpreter`` SDK uses (``POST /v2/sandboxes``,
``DELETE /sandboxes/{id}``, ``POST /contexts``, ``DELETE /contexts/{id}``, streaming NDJSON from
``POST /execute``) and envd's filesystem API (Connect-RPC with the JSON codec:
``/filesystem.Filesystem/MakeDir``, ``ListDir``, ``Remove``; ``GET``/``POST /files`` to download
and upload, multipart), so tests run the SDK's real code path. Each sandbox's filesystem is a
local temporary directory standing for ``/``; code runs in a local subprocess in the context's
working directory. This is a protocol double, not a sandbox, and only ever runs the tests' own
snippets.
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import parse_qs, urlsplit

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
        self.contexts: dict[str, tuple[str, str]] = {}
        self.max_live = 0
        self.disk = Path(tempfile.mkdtemp(prefix="e2b-standin-"))
        self.rpc_calls: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def root(self, sandbox_id: str) -> Path:
        """The local directory standing for the sandbox's ``/``."""
        return self.disk / sandbox_id

    def server_close(self) -> None:
        super().server_close()
        shutil.rmtree(self.disk, ignore_errors=True)


class _Handler(BaseHTTPRequestHandler):
    server: StandInE2B
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _raw_body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _local(self, remote: str) -> Path:
        """The local file for an absolute sandbox path."""
        parts = PurePosixPath("/", remote).parts[1:]
        if ".." in parts:
            raise ValueError(f"path {remote!r} leaves the sandbox")
        return self.server.root(self.headers["E2b-Sandbox-Id"]).joinpath(*parts)

    def _connect_error(self, status: int, code: str, message: str) -> None:
        self._send_json(status, {"code": code, "message": message})

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
        raw = self._raw_body()
        route = urlsplit(self.path).path
        if route.startswith("/filesystem.Filesystem/"):
            if self._sandbox_ok():
                self._filesystem_rpc(route.rsplit("/", 1)[1], json.loads(raw or b"{}"))
            return
        if route == "/files":
            if self._sandbox_ok():
                self._upload(raw)
            return
        body = json.loads(raw or b"{}")
        if self.path == "/v2/sandboxes":
            if self.headers.get("X-API-KEY") != self.server.api_key:
                self._send_json(401, {"code": 401, "message": "Invalid API key"})
                return
            sandbox_id, token = f"sbx-{uuid.uuid4().hex[:10]}", uuid.uuid4().hex
            with self.server.lock:
                self.server.sandboxes[sandbox_id] = token
                self.server.created.append(sandbox_id)
                (self.server.root(sandbox_id) / "home" / "user").mkdir(parents=True)
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
            cwd = body.get("cwd") or "/home/user"
            if not self._local(cwd).is_dir():
                self._send_json(500, {"message": f"no such directory {cwd!r}"})
                return
            self.server.contexts[context_id] = (language, cwd)
            self._send_json(200, {"id": context_id, "language": language, "cwd": cwd})
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
        context = self.server.contexts.get(body.get("context_id") or "")
        language, cwd = context or ("python", "/home/user")
        argv = [sys.executable, "-I", "-c", _RUNNER] if language == "python" else ["node", "-"]
        process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=self._local(cwd),
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

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path != "/files" or not self._sandbox_ok():
            if url.path != "/files":
                self._send_json(404, {"message": f"no route {url.path}"})
            return
        remote = parse_qs(url.query)["path"][0]
        local = self._local(remote)
        if not local.is_file():
            self._send_json(404, {"code": 404, "message": f"path '{remote}' does not exist"})
            return
        data = local.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _upload(self, raw: bytes) -> None:
        """``POST /files``: multipart parts named by their file name (or the ``path`` query)."""
        query = parse_qs(urlsplit(self.path).query)
        head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
        written = []
        for part in message.iter_parts():
            remote = query["path"][0] if "path" in query else str(part.get_filename())
            local = self._local(remote)
            local.parent.mkdir(parents=True, exist_ok=True)
            local.write_bytes(part.get_payload(decode=True) or b"")
            written.append({"name": local.name, "type": "file", "path": remote})
        self._send_json(200, written)

    def _filesystem_rpc(self, method: str, request: dict[str, Any]) -> None:
        """envd's ``filesystem.Filesystem`` service over Connect's unary JSON protocol."""
        self.server.rpc_calls.append(method)
        local = self._local(request.get("path", ""))
        if method == "MakeDir":
            if local.exists():
                self._connect_error(409, "already_exists", f"{request['path']} exists")
                return
            local.mkdir(parents=True)
            self._send_json(200, {"entry": self._entry(local, request["path"])})
        elif method == "ListDir":
            if not local.is_dir():
                self._connect_error(404, "not_found", f"{request['path']} not found")
                return
            entries: list[dict[str, Any]] = []
            self._list(local, request["path"].rstrip("/"), int(request.get("depth", 1)), entries)
            self._send_json(200, {"entries": entries})
        elif method == "Remove":
            if local.is_dir() and not local.is_symlink():
                shutil.rmtree(local)
            else:
                local.unlink(missing_ok=True)
            self._send_json(200, {})
        else:
            self._connect_error(501, "unimplemented", f"{method} is not in the stand-in")

    def _list(self, local: Path, remote: str, depth: int, out: list[dict[str, Any]]) -> None:
        for child in sorted(local.iterdir()):
            path = f"{remote}/{child.name}"
            out.append(self._entry(child, path))
            if depth > 1 and child.is_dir() and not child.is_symlink():
                self._list(child, path, depth - 1, out)

    @staticmethod
    def _entry(local: Path, remote: str) -> dict[str, Any]:
        """An ``EntryInfo`` as a recent envd reports it: a symbolic link has its target's type
        and ``isSymlink``; anything neither file nor directory (a FIFO) has no type."""
        info = os.lstat(local)
        entry: dict[str, Any] = {"name": local.name, "path": remote, "size": str(info.st_size)}
        target = info
        if stat.S_ISLNK(info.st_mode):
            entry.update(isSymlink=True, symlinkTarget=os.readlink(local))
            with contextlib.suppress(OSError):  # a dangling link gets no type
                target = os.stat(local)
        if stat.S_ISREG(target.st_mode):
            entry["type"] = "FILE_TYPE_FILE"
        elif stat.S_ISDIR(target.st_mode):
            entry["type"] = "FILE_TYPE_DIRECTORY"
        entry["mode"] = stat.S_IMODE(info.st_mode)
        entry["permissions"] = stat.filemode(info.st_mode)
        return entry


@contextlib.contextmanager
def running_e2b_standin(api_key: str) -> Iterator[StandInE2B]:
    """Serve a :class:`StandInE2B` accepting ``api_key`` in a thread until the block ends."""
    server = StandInE2B(api_key=api_key)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
