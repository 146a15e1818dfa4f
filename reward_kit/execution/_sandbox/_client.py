"""Host side of the fork-server: start it, send jobs, match replies, restart it when it dies."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import subprocess
from pathlib import Path
from typing import Any

# The server is one script; the collector (also imported by the host) is prepended to it.
_SERVER_SOURCE = "\n".join(
    (Path(__file__).parent / name).read_text() for name in ("_collect.py", "_server.py")
)


class SandboxFailure(Exception):
    """The sandbox itself failed (could not start, died, stopped answering)."""


class ForkServer:
    """One running fork-server process and the jobs waiting for its replies.

    The process is a plain ``subprocess.Popen`` whose pipes are attached to the event loop:
    it is reaped by ``Popen.wait`` here, not by asyncio's child watcher, which would race with
    ``subprocess``'s own reaping of abandoned children.
    """

    def __init__(self, launcher: list[str], python: str, config: dict[str, Any], log: Path):
        self.argv = [*launcher, python, "-I", "-S", "-c", _SERVER_SOURCE, json.dumps(config)]
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.replies: asyncio.StreamReader | None = None
        self.requests: asyncio.WriteTransport | None = None
        self.reply_pipe: asyncio.ReadTransport | None = None
        self.waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.reader: asyncio.Task[None] | None = None
        self.ids = itertools.count()

    async def start(self) -> None:
        """Start the server and wait until it says it is ready."""
        try:
            with self.log.open("ab") as log:
                self.process = subprocess.Popen(
                    self.argv,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    env={},
                    cwd="/",
                    start_new_session=True,
                )
        except OSError as error:
            raise SandboxFailure(f"cannot start the fork-server: {error}") from error
        assert self.process.stdin is not None and self.process.stdout is not None
        loop = asyncio.get_running_loop()
        self.replies = asyncio.StreamReader(limit=1 << 20)
        protocol = asyncio.StreamReaderProtocol(self.replies)
        self.reply_pipe, _ = await loop.connect_read_pipe(lambda: protocol, self.process.stdout)
        self.requests, _ = await loop.connect_write_pipe(asyncio.Protocol, self.process.stdin)
        try:
            line = await asyncio.wait_for(self.replies.readline(), 30)
        except asyncio.TimeoutError:
            line = b""
        if not line.startswith(b'{"ready": true'):
            await self.stop()
            raise SandboxFailure(f"fork-server did not start: {self.log_tail()}")
        self.reader = loop.create_task(self._read_replies())

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    async def submit(self, job: dict[str, Any], deadline_s: float) -> dict[str, Any]:
        """Run ``job``; the reply, or SandboxFailure if none came within ``deadline_s``."""
        if self.requests is None or self.requests.is_closing() or not self.alive:
            raise SandboxFailure(f"fork-server is not running: {self.log_tail()}")
        job_id = str(next(self.ids))
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiting[job_id] = future
        try:
            self.requests.write((json.dumps(dict(job, id=job_id)) + "\n").encode())
            return await asyncio.wait_for(future, deadline_s)
        except (OSError, ConnectionError) as error:
            raise SandboxFailure(f"fork-server stopped accepting jobs: {error}") from error
        except asyncio.TimeoutError:
            await self.stop()
            raise SandboxFailure(
                f"fork-server did not answer within {deadline_s:.1f}s; it was killed"
            ) from None
        finally:
            self.waiting.pop(job_id, None)

    async def _read_replies(self) -> None:
        assert self.replies is not None
        with contextlib.suppress(ConnectionError):
            while line := await self.replies.readline():
                reply = json.loads(line)
                future = self.waiting.get(str(reply.pop("id", "")))
                if future is not None and not future.done():
                    future.set_result(reply)
        await self._kill()
        failure = SandboxFailure(f"fork-server exited: {self.log_tail()}")
        for future in self.waiting.values():
            if not future.done():
                future.set_exception(failure)

    async def _kill(self) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            # Poll rather than wait in a thread: this also runs at interpreter exit, when no
            # new threads may start. A SIGKILLed process is gone within milliseconds.
            while self.process.poll() is None:
                await asyncio.sleep(0.002)
        for pipe in (self.requests, self.reply_pipe):  # closing a transport closes its pipe
            if pipe is not None:
                pipe.close()

    async def stop(self) -> None:
        """Kill the server (and with it every job still running in its sandbox)."""
        await self._kill()
        if self.reader is not None and self.reader is not asyncio.current_task():
            await asyncio.gather(self.reader, return_exceptions=True)

    def log_tail(self) -> str:
        try:
            text = self.log.read_text(errors="replace").strip()
        except OSError:
            return "(no log)"
        return text[-2000:] or "(no output)"
