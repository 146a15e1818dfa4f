"""``E2BExecutor``: run code in E2B cloud sandboxes through ``e2b-code-interpreter``.

Install the extra with ``pip install 'reward-kit[e2b]'`` and set ``E2B_API_KEY``. A bounded
pool of sandboxes is kept open; each job runs in a fresh code context of one of them, so no
variables or imports leak between jobs. A sandbox whose job timed out or failed is killed and
replaced, since the code may still be running in it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import TYPE_CHECKING, Any

from reward_kit.errors import RewardKitError
from reward_kit.execution._base import ExecutionJob, Executor
from reward_kit.execution._result import ExecutionLimits, ExecutionResult, ExecutionStatus

if TYPE_CHECKING:
    from e2b_code_interpreter import AsyncSandbox  # type: ignore[import-untyped]

_GRACE_S = 1.0
"""Allowance for the network round trip on top of a job's time limit."""
_E2B_LANGUAGES = {"python": "python", "javascript": "js"}
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
        if job.collect is not None:
            raise ValueError("E2BExecutor does not collect files yet: use LocalExecutor")
        if language is None or job.files or (job.stdin and language != "python"):
            raise ValueError(
                f"E2BExecutor runs python and javascript code without extra files (stdin: "
                f"python only); got language={job.language!r}, files={sorted(job.files)}"
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
        try:
            sandbox, context = await self._sandbox_with_context(language)
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
        return self._result(execution, time.monotonic() - started, limits)

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

    async def _sandbox_with_context(self, language: str) -> tuple[AsyncSandbox, Any]:
        """A sandbox and a fresh code context in it.

        A pooled sandbox may have expired on E2B's side since its last job; then (and only
        then, before any code ran) a new sandbox is tried once.
        """
        reused = bool(self._idle)
        sandbox = await self._checkout()
        try:
            context = await sandbox.create_code_context(
                language=language, request_timeout=self.request_timeout_s
            )
        except Exception:
            await self._discard(sandbox)
            if not reused:
                raise
            sandbox = await self._checkout(fresh=True)
            context = await sandbox.create_code_context(
                language=language, request_timeout=self.request_timeout_s
            )
        return sandbox, context

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
