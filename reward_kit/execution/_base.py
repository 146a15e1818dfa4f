"""What every executor shares: job validation, the async core's entry points, the sync facade."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from reward_kit._async_bridge import on_background_loop, run_sync
from reward_kit.execution._files import CollectFiles
from reward_kit.execution._result import ExecutionResult
from reward_kit.execution.languages import Language, get_language


@dataclass(frozen=True)
class ExecutionJob:
    """One program to run: source, language, stdin, limits, extra files for its directory and
    which files it writes there to bring back (``collect_files``: patterns or a
    :class:`CollectFiles`)."""

    code: str
    language: str = "python"
    stdin: str | None = None
    timeout: float = 5.0
    memory_mb: int = 256
    files: Mapping[str, str | bytes] = field(default_factory=dict)
    collect_files: CollectFiles | Sequence[str] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "collect_files", CollectFiles.of(self.collect_files))
        if not isinstance(self.code, str):
            raise TypeError(f"code must be a str, got {type(self.code).__name__}")
        if not self.timeout > 0:
            raise ValueError(f"timeout must be > 0 seconds, got {self.timeout!r}")
        if not (isinstance(self.memory_mb, int) and self.memory_mb >= 16):
            raise ValueError(f"memory_mb must be an int >= 16, got {self.memory_mb!r}")
        for name in self.files:
            path = PurePosixPath(name)
            if path.is_absolute() or ".." in path.parts or not path.parts:
                raise ValueError(f"file name {name!r} must be a relative path inside the job dir")
        get_language(self.language)

    @property
    def collect(self) -> CollectFiles | None:
        """What to collect, normalized (``collect_files`` as given may be a list of patterns)."""
        return CollectFiles.of(self.collect_files)

    @property
    def lang(self) -> Language:
        return get_language(self.language)


JobLike = ExecutionJob | Mapping[str, Any]


class Executor:
    """Runs jobs. Subclasses implement ``_execute``; everything else is shared.

    The async core always runs on reward-kit's background event loop, which owns the
    executor's processes or connections; ``arun`` may be awaited from any loop and ``run``
    called from any thread.
    """

    async def _execute(self, job: ExecutionJob) -> ExecutionResult:
        raise TypeError(f"{type(self).__name__} must implement _execute()")

    async def _on_loop(self, job: ExecutionJob) -> ExecutionResult:
        return await on_background_loop(self._execute(job))

    async def arun(
        self,
        code: str,
        language: str = "python",
        stdin: str | None = None,
        timeout: float = 5.0,
        memory_mb: int = 256,
        files: Mapping[str, str | bytes] | None = None,
        collect_files: CollectFiles | Sequence[str] | None = None,
    ) -> ExecutionResult:
        """Run ``code`` and return how it ended (async)."""
        job = ExecutionJob(
            code, language, stdin, timeout, memory_mb, dict(files or {}), collect_files
        )
        return await self._on_loop(job)

    def run(
        self,
        code: str,
        language: str = "python",
        stdin: str | None = None,
        timeout: float = 5.0,
        memory_mb: int = 256,
        files: Mapping[str, str | bytes] | None = None,
        collect_files: CollectFiles | Sequence[str] | None = None,
    ) -> ExecutionResult:
        """Run ``code`` and return how it ended.

        Args:
            code: the program's source.
            language: ``"python"`` or ``"javascript"`` (or any registered language).
            stdin: text fed to the program's standard input.
            timeout: wall-clock seconds before the whole process tree is killed.
            memory_mb: memory limit for the job.
            files: extra files (relative path -> content) placed in the job's directory.
            collect_files: glob patterns (or a :class:`CollectFiles` with size limits) of
                files the program writes under its working directory to return in
                ``result.files``; what matched but was not returned (a symlink, a FIFO, a
                file over a limit) is listed in ``result.files_skipped`` with the reason.
        """
        return run_sync(self.arun(code, language, stdin, timeout, memory_mb, files, collect_files))

    async def arun_batch(self, jobs: Sequence[JobLike]) -> list[ExecutionResult]:
        """Run many jobs concurrently (bounded by the executor); results in input order."""
        parsed = [job if isinstance(job, ExecutionJob) else ExecutionJob(**job) for job in jobs]
        return list(await asyncio.gather(*(self._on_loop(job) for job in parsed)))

    def run_batch(self, jobs: Sequence[JobLike]) -> list[ExecutionResult]:
        """Run many jobs concurrently; each job is an ``ExecutionJob`` or a dict of its fields."""
        return run_sync(self.arun_batch(jobs))
