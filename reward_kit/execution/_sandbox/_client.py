"""Host side of the fork-server: start it, send jobs, match replies, restart it when it dies."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from pathlib import Path
from typing import Any

_SERVER_SOURCE = (Path(__file__).parent / "_server.py").read_text()


class SandboxFailure(Exception):
    """The sandbox itself failed (could not start, died, stopped answering)."""


class ForkServer:
    """One running fork-server process and the jobs waiting for its replies."""

    def __init__(self, launcher: list[str], python: str, config: dict[str, Any], log: Path):
        self.argv = [*launcher, python, "-I", "-S", "-c", _SERVER_SOURCE, json.dumps(config)]
        self.log = log
        self.process: asyncio.subprocess.Process | None = None
        self.waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.reader: asyncio.Task[None] | None = None
        self.ids = itertools.count()

    async def start(self) -> None:
        """Start the server and wait until it says it is ready."""
        try:
            with self.log.open("ab") as log:
                self.process = await asyncio.create_subprocess_exec(
                    *self.argv,
                    stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=log,
                    env={},
                    cwd="/",
                    start_new_session=True,
                )
        except OSError as error:
            raise SandboxFailure(f"cannot start the fork-server: {error}") from error
        assert self.process.stdout is not None
        try:
            line = await asyncio.wait_for(self.process.stdout.readline(), 30)
        except asyncio.TimeoutError:
            line = b""
        if not line.startswith(b'{"ready": true'):
            await self.stop()
            raise SandboxFailure(f"fork-server did not start: {self.log_tail()}")
        self.reader = asyncio.get_running_loop().create_task(self._read_replies())

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def submit(self, job: dict[str, Any], deadline_s: float) -> dict[str, Any]:
        """Run ``job``; the reply, or SandboxFailure if none came within ``deadline_s``."""
        assert self.process is not None and self.process.stdin is not None
        job_id = str(next(self.ids))
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiting[job_id] = future
        try:
            self.process.stdin.write((json.dumps(dict(job, id=job_id)) + "\n").encode())
            await self.process.stdin.drain()
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
        assert self.process is not None and self.process.stdout is not None
        while line := await self.process.stdout.readline():
            reply = json.loads(line)
            future = self.waiting.get(str(reply.pop("id", "")))
            if future is not None and not future.done():
                future.set_result(reply)
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        await self.process.wait()
        failure = SandboxFailure(f"fork-server exited: {self.log_tail()}")
        for future in self.waiting.values():
            if not future.done():
                future.set_exception(failure)

    async def stop(self) -> None:
        """Kill the server (and with it every job still running in its sandbox)."""
        if self.process is not None and self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            await self.process.wait()
        if self.reader is not None and self.reader is not asyncio.current_task():
            await asyncio.gather(self.reader, return_exceptions=True)

    def log_tail(self) -> str:
        try:
            text = self.log.read_text(errors="replace").strip()
        except OSError:
            return "(no log)"
        return text[-2000:] or "(no output)"
