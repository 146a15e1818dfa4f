"""``E2BExecutor``: run code in E2B cloud sandboxes through ``e2b-code-interpreter``.

Install the extra with ``pip install 'reward-kit[e2b]'`` and set ``E2B_API_KEY``. A bounded
pool of sandboxes is kept open; each job runs in a fresh code context of one of them, so no
variables or imports leak between jobs. A sandbox whose job timed out or failed is killed and
replaced, since the code may still be running in it.

A job with input files or files to collect gets its own directory in the sandbox, its working
directory; afterwards the matching files are read back through E2B's filesystem API with the
same globs, limits and skip reasons as the local executor (``_sandbox/_collect.py``), and the
directory is removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from typing import TYPE_CHECKING, Any

from reward_kit.errors import RewardKitError
from reward_kit.execution._base import ExecutionJob, Executor
from reward_kit.execution._files import CollectFiles, safe_name
from reward_kit.execution._result import ExecutionLimits, ExecutionResult, ExecutionStatus
from reward_kit.execution._sandbox._collect import (
    COLLECT_MAX_DEPTH,
    COLLECT_MAX_ENTRIES,
    Collector,
    could_match_below,
)

if TYPE_CHECKING:
    from e2b_code_interpreter import AsyncSandbox  # type: ignore[import-untyped]

_GRACE_S = 1.0
"""Allowance for the network round trip on top of a job's time limit."""
_E2B_LANGUAGES = {"python": "python", "javascript": "js"}
_JOBS_DIR = "/home/user/.reward_kit"
"""Each job with files gets a fresh directory under this one (the sandbox user's home)."""
_STDIN_PREAMBLE = "import io as _rk_io, sys as _rk_sys\n_rk_sys.stdin = _rk_io.StringIO({!s})\n"


class E2BExecutor(Executor):
    """Runs code in E2B sandboxes; the same interface as :class:`LocalExecutor`.

    Args:
        api_key: E2B API key (default: the ``E2B_API_KEY`` environment variable).
        template: sandbox template (default: the code-interpreter template).
        pool_size: sandboxes kept open; also the number of jobs running at once.
        sandbox_timeout_s: lifetime E2B gives each sandbox before it shuts it down.
        request_timeout_s: limit for each control call (create, context, kill).
        max_output_bytes: characters of stdout and of stderr kept (status ``output_limit``).
        connection: extra ``ApiParams`` for the SDK (``domain``, ``api_url``, ``sandbox_url``,
            ``debug``, ``http_version``...), e.g. to reach a self-hosted E2B.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        template: str | None = None,
        pool_size: int = 4,
        sandbox_timeout_s: int = 300,
        request_timeout_s: float = 30.0,
        max_output_bytes: int = 1 << 20,
        connection: dict[str, Any] | None = None,
    ) -> None:
        if pool_size < 1:
            raise ValueError(f"pool_size must be >= 1, got {pool_size}")
        self.template = template
        self.pool_size = pool_size
        self.sandbox_timeout_s = sandbox_timeout_s
        self.request_timeout_s = request_timeout_s
        self.max_output_bytes = max_output_bytes
        self._params: dict[str, Any] = dict(connection or {})
        if api_key is not None:
            self._params["api_key"] = api_key
        self._idle: list[AsyncSandbox] = []
        self._slots: asyncio.Semaphore | None = None
        self._open: set[AsyncSandbox] = set()

    async def _execute(self, job: ExecutionJob) -> ExecutionResult:
        limits = ExecutionLimits(
            timeout_s=job.timeout,
            memory_mb=job.memory_mb,
            max_output_bytes=self.max_output_bytes,
            max_processes=0,
            max_file_bytes=0,
            isolation="e2b",
        )
        language = _E2B_LANGUAGES.get(job.lang.name)
        if language is None or (job.stdin and language != "python"):
            raise ValueError(
                f"E2BExecutor runs python and javascript code (stdin: python only); got "
                f"language={job.language!r}"
            )
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.pool_size)
        async with self._slots:
            return await self._execute_in_sandbox(job, language, limits)

    async def _execute_in_sandbox(
        self, job: ExecutionJob, language: str, limits: ExecutionLimits
    ) -> ExecutionResult:
        code = job.code
        if job.stdin is not None:
            code = _STDIN_PREAMBLE.format(json.dumps(job.stdin)) + code
        started = time.monotonic()
        sandbox = None
        workdir = None
        if job.files or job.collect is not None:
            workdir = f"{_JOBS_DIR}/job-{uuid.uuid4().hex}"
        collected: tuple[dict[str, bytes], dict[str, str]] = ({}, {})
        try:
            sandbox, context = await self._sandbox_with_context(language, job, workdir)
            # The SDK's own timeout only bounds silence between output lines: a program that
            # keeps printing would outlive it, so the whole call is bounded here too.
            execution = await asyncio.wait_for(
                sandbox.run_code(
                    code,
                    context=context,
                    timeout=job.timeout,
                    request_timeout=self.request_timeout_s,
                ),
                job.timeout + _GRACE_S,
            )
            if workdir is not None:
                if job.collect is not None:
                    collected = await self._collect(sandbox, workdir, job.collect)
                await sandbox.files.remove(workdir, request_timeout=self.request_timeout_s)
            await sandbox.remove_code_context(context)
        except Exception as error:
            if sandbox is not None:
                await self._discard(sandbox)
            status: ExecutionStatus = "timeout" if _is_execution_timeout(error) else "sandbox_error"
            message = f"{type(error).__name__}: {error}"
            return ExecutionResult(
                status=status,
                duration_s=time.monotonic() - started,
                limits=limits,
                error=None if status == "timeout" else f"E2B sandbox failed: {message}",
            )
        self._idle.append(sandbox)
        result = self._result(execution, time.monotonic() - started, limits)
        if job.collect is None:
            return result
        return result.model_copy(update={"files": collected[0], "files_skipped": collected[1]})

    def _result(self, execution: Any, duration: float, limits: ExecutionLimits) -> ExecutionResult:
        stdout = "".join(execution.logs.stdout)
        stderr = "".join(execution.logs.stderr)
        failed = execution.error is not None
        if failed:
            trace = execution.error.traceback
            stderr += trace if trace.endswith("\n") else trace + "\n"
        cap = self.max_output_bytes
        out_cut, err_cut = len(stdout) > cap, len(stderr) > cap
        status: ExecutionStatus = "error" if failed else "ok"
        if out_cut or err_cut:
            status = "output_limit"
        elif failed and execution.error.name == "MemoryError":
            status = "memory_exceeded"
        return ExecutionResult(
            status=status,
            exit_code=1 if failed else 0,
            stdout=stdout[:cap],
            stderr=stderr[:cap],
            stdout_truncated=out_cut,
            stderr_truncated=err_cut,
            duration_s=duration,
            limits=limits,
        )

    async def _sandbox_with_context(
        self, language: str, job: ExecutionJob, workdir: str | None
    ) -> tuple[AsyncSandbox, Any]:
        """A sandbox and a fresh code context in it (in ``workdir``, holding the job's files).

        A pooled sandbox may have expired on E2B's side since its last job; then (and only
        then, before any code ran) a new sandbox is tried once.
        """
        reused = bool(self._idle)
        sandbox = await self._checkout()
        try:
            context = await self._prepare(sandbox, language, job, workdir)
        except Exception:
            await self._discard(sandbox)
            if not reused:
                raise
            sandbox = await self._checkout(fresh=True)
            context = await self._prepare(sandbox, language, job, workdir)
        return sandbox, context

    async def _prepare(
        self, sandbox: AsyncSandbox, language: str, job: ExecutionJob, workdir: str | None
    ) -> Any:
        timeout = self.request_timeout_s
        if workdir is not None:
            await sandbox.files.make_dir(workdir, request_timeout=timeout)
            for name, content in job.files.items():
                await sandbox.files.write(f"{workdir}/{name}", content, request_timeout=timeout)
        return await sandbox.create_code_context(
            cwd=workdir, language=language, request_timeout=timeout
        )

    async def _collect(
        self, sandbox: AsyncSandbox, workdir: str, spec: CollectFiles
    ) -> tuple[dict[str, bytes], dict[str, str]]:
        """The files under ``workdir`` that ``spec`` asks for, and those skipped with why.

        The listing's type and size decide before anything is read (a symbolic link is never
        followed, a FIFO never opened, an oversized file never downloaded); a file that grew
        between the listing and the read is still refused.
        """
        request = spec.spec("")
        collector = Collector(request, frozenset(request["exclude"]))
        listing = await sandbox.files.list(
            workdir, depth=COLLECT_MAX_DEPTH, request_timeout=self.request_timeout_s
        )
        if len(listing) > COLLECT_MAX_ENTRIES:
            collector.truncated_walk = True
        prefix = workdir + "/"
        entries = sorted(
            ((entry.path.removeprefix(prefix), entry) for entry in listing[:COLLECT_MAX_ENTRIES]),
            key=lambda named: named[0],
        )
        for name, entry in entries:
            if not entry.path.startswith(prefix):
                continue
            kind = getattr(entry.type, "value", None)
            if kind == "dir":
                if name.count("/") + 1 >= COLLECT_MAX_DEPTH and could_match_below(
                    collector.patterns, name
                ):
                    collector.skip(name + "/", f"deeper than {COLLECT_MAX_DEPTH} directories")
                continue
            if not collector.wanted(name):
                continue
            if not safe_name(name):
                collector.skip(repr(name)[:200], "unsafe file name")
                continue
            link = kind == "symlink" or entry.symlink_target is not None
            reason = collector.refusal(link, kind == "file", entry.size)
            if reason is not None:
                collector.skip(name, reason)
                continue
            data = await sandbox.files.read(
                entry.path, format="bytes", request_timeout=self.request_timeout_s
            )
            collector.keep(name, bytes(data))
        collector.finish()
        return collector.files, collector.skipped

    async def _checkout(self, fresh: bool = False) -> AsyncSandbox:
        if self._idle and not fresh:
            return self._idle.pop()
        try:
            from e2b_code_interpreter import AsyncSandbox
        except ImportError as error:
            raise RewardKitError(
                "E2BExecutor needs the e2b extra: pip install 'reward-kit[e2b]'"
            ) from error
        sandbox = await AsyncSandbox.create(
            template=self.template,
            timeout=self.sandbox_timeout_s,
            request_timeout=self.request_timeout_s,
            **self._params,
        )
        self._open.add(sandbox)
        return sandbox

    async def _discard(self, sandbox: AsyncSandbox) -> None:
        self._open.discard(sandbox)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(sandbox.kill(), self.request_timeout_s)

    async def aclose(self) -> None:
        """Kill every sandbox this executor opened."""
        self._idle.clear()
        await asyncio.gather(*(self._discard(s) for s in list(self._open)))

    def close(self) -> None:
        """Kill every sandbox this executor opened."""
        from reward_kit._async_bridge import run_sync

        run_sync(self.aclose())

    def __enter__(self) -> E2BExecutor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _is_execution_timeout(error: Exception) -> bool:
    """Whether the code ran too long (anything else going wrong is the sandbox's failure)."""
    if isinstance(error, asyncio.TimeoutError):
        return True
    return type(error).__name__ == "TimeoutException" and str(error).startswith("Execution timed")
