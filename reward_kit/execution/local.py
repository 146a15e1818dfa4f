"""``LocalExecutor``: run untrusted code on this machine, sandboxed with bubblewrap or rlimits."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import uuid
import warnings
import weakref
from pathlib import Path
from typing import Literal

from reward_kit._async_bridge import run_sync
from reward_kit.errors import RewardKitError
from reward_kit.execution._base import ExecutionJob, Executor
from reward_kit.execution._files import read_report
from reward_kit.execution._result import ExecutionLimits, ExecutionResult
from reward_kit.execution._sandbox import _bwrap, _lifecycle
from reward_kit.execution._sandbox._cgroup import CgroupTree, JobCgroup
from reward_kit.execution._sandbox._client import ForkServer, SandboxFailure
from reward_kit.execution._sandbox._jobs import JOB_ENV, job_files, verdict
from reward_kit.execution.languages import _LANGUAGES

Isolation = Literal["auto", "bwrap", "rlimits"]
_warned_fallback = False
_PRELOAD = ("math", "re", "typing", "collections", "itertools", "functools", "heapq", "string")
"""Standard modules imported once by the fork-server, so jobs find them already loaded."""


class SandboxUnavailableError(RewardKitError):
    """``isolation="bwrap"`` was asked for but bubblewrap cannot run on this host."""


class SandboxWarning(UserWarning):
    """Code runs with weaker isolation than asked for (issued once per process)."""


class LocalExecutor(Executor):
    """Runs code in a local sandbox: a pre-started fork-server that forks one child per job.

    Args:
        isolation: ``"bwrap"`` (namespaces; fail if unavailable), ``"rlimits"`` (resource limits
            and a scrubbed environment only) or ``"auto"`` (bwrap where it works, else rlimits
            with a one-time :class:`SandboxWarning` naming what is missing).
        max_concurrency: jobs running at once (default: CPU count).
        max_output_bytes: bytes of stdout and of stderr kept; beyond it the job is stopped or
            its output truncated, with status ``output_limit``.
        max_processes: processes (and threads) a job may have at once.
        max_file_bytes: largest file a job may write.
        disk_mb: size of the job's private ``/work`` and ``/tmp`` (bwrap mode).
        python: interpreter for the fork-server (default: this one's base interpreter, not a
            venv, so no site-packages are visible).
    """

    def __init__(
        self,
        isolation: Isolation = "auto",
        *,
        max_concurrency: int | None = None,
        max_output_bytes: int = 1 << 20,
        max_processes: int = 64,
        max_file_bytes: int = 16 << 20,
        disk_mb: int = 64,
        python: str | None = None,
    ) -> None:
        if isolation not in ("auto", "bwrap", "rlimits"):
            raise ValueError(f"isolation must be 'auto', 'bwrap' or 'rlimits', got {isolation!r}")
        self.requested_isolation = isolation
        self.max_concurrency = max_concurrency or os.cpu_count() or 2
        self.max_output_bytes = max_output_bytes
        self.max_processes = max_processes
        self.max_file_bytes = max_file_bytes
        self.disk_mb = disk_mb
        base: str = getattr(sys, "_base_executable", None) or sys.executable
        self.python = str(Path(python or base).resolve())
        self._python_is_default = python is None
        self._isolation: str | None = None
        self._server: ForkServer | None = None
        self._slots: asyncio.Semaphore | None = None
        self._starting: asyncio.Lock | None = None
        self._cgroups: CgroupTree | None = None
        self._base = _lifecycle.new_work_dir()
        self._finalizer = weakref.finalize(self, _lifecycle.cleanup, self._base, None, os.getpid())
        _lifecycle.track(self)

    @property
    def isolation(self) -> str:
        """The isolation in force: ``"bwrap"`` or ``"rlimits"`` (resolved on first use)."""
        if self._isolation is None:
            self._isolation = self._resolve_isolation()
        return self._isolation

    def _forget_server(self) -> None:
        """After a fork: the parent's server belongs to the parent; start a new one if needed."""
        self._server = None
        self._starting = None
        self._slots = None

    @property
    def uses_cgroups(self) -> bool:
        """Whether jobs get a cgroup (memory and process limits for the whole tree).

        Known once the first job has started the sandbox.
        """
        return self._cgroups is not None

    def _resolve_isolation(self) -> str:
        global _warned_fallback
        if self.requested_isolation == "rlimits":
            return "rlimits"
        bwrap, problems = _bwrap.find_working_bwrap(self.python)
        if bwrap is not None:
            self._bwrap_path = bwrap
            return "bwrap"
        reasons = "; ".join(problems)
        if self.requested_isolation == "bwrap":
            raise SandboxUnavailableError(f"bubblewrap sandbox unavailable: {reasons}")
        if not _warned_fallback:
            _warned_fallback = True
            warnings.warn(
                "reward-kit: bubblewrap sandbox unavailable, falling back to rlimits isolation: "
                "untrusted code will share this host's network, filesystem view (read and write "
                f"as the job user) and process list. Reason: {reasons}",
                SandboxWarning,
                stacklevel=4,
            )
        return "rlimits"

    async def _ensure_server(self) -> ForkServer:
        if self._starting is None:
            self._starting = asyncio.Lock()
            self._slots = asyncio.Semaphore(self.max_concurrency)
        async with self._starting:
            if self._server is not None and self._server.alive:
                return self._server
            if self._server is None and self._cgroups is None:
                self._cgroups = CgroupTree.create()
                self._finalizer.detach()
                self._finalizer = weakref.finalize(
                    self, _lifecycle.cleanup, self._base, self._cgroups, os.getpid()
                )
            server = ForkServer(*self._launch_spec(), log=self._base / "server.log")
            await server.start()
            self._server = server
            return server

    def _launch_spec(self) -> tuple[list[str], str, dict[str, object]]:
        jobs = self._base / "jobs"
        jobs.mkdir(exist_ok=True)
        if self.isolation == "rlimits":
            drop = 65534 if os.geteuid() == 0 else None
            if drop is not None:
                if not _lifecycle.readable_by_others(self.python):
                    self.python = self._python_for_nobody()
                # nobody may pass through (not list) the directories down to its job's files
                os.chmod(jobs, 0o711)
                os.chmod(self._base, 0o711)
            return [], self.python, {"mode": "rlimits", "drop_to_uid": drop, "preload": _PRELOAD}
        binds = {str(jobs): "/jobs"}
        if self._cgroups is not None:
            binds.update({str(p): f"/cgroup/{c}" for c, p in self._cgroups.dirs.items()})
        runtimes = [str(Path(p).parent) for p in self._executables().values()]
        launcher = _bwrap.sandbox_argv(self._bwrap_path, self.python, runtimes, binds, [])
        return launcher[:-1], self.python, {"mode": "bwrap", "preload": _PRELOAD}

    def _python_for_nobody(self) -> str:
        """Jobs started as root run as ``nobody``; if it cannot read the default interpreter
        (say, a pyenv build under /root), use a system one of the same version instead."""
        if not self._python_is_default:
            raise SandboxFailure(
                f"rlimits isolation runs jobs as 'nobody', which cannot read {self.python}; "
                "pass python= an interpreter outside a private directory"
            )
        version = f"python{sys.version_info.major}.{sys.version_info.minor}"
        for candidate in (f"/usr/local/bin/{version}", f"/usr/bin/{version}"):
            if os.path.exists(candidate) and _lifecycle.readable_by_others(candidate):
                return str(Path(candidate).resolve())
        raise SandboxFailure(
            f"rlimits isolation runs jobs as 'nobody', which cannot read {self.python}, and "
            f"no system {version} was found; pass python= a readable interpreter"
        )

    def _executables(self) -> dict[str, str]:
        found = {}
        for language in _LANGUAGES.values():
            if language.executable and (path := shutil.which(language.executable)):
                found[language.name] = str(Path(path).resolve())
        return found

    async def _execute(self, job: ExecutionJob) -> ExecutionResult:
        limits = ExecutionLimits(
            timeout_s=job.timeout,
            memory_mb=job.memory_mb,
            max_output_bytes=self.max_output_bytes,
            max_processes=self.max_processes,
            max_file_bytes=self.max_file_bytes,
            isolation=self.isolation,
        )
        try:
            server = await self._ensure_server()
        except SandboxFailure as error:
            return ExecutionResult(status="sandbox_error", limits=limits, error=str(error))
        assert self._slots is not None
        async with self._slots:
            return await self._execute_in(server, job, limits)

    async def _execute_in(
        self, server: ForkServer, job: ExecutionJob, limits: ExecutionLimits
    ) -> ExecutionResult:
        name = uuid.uuid4().hex
        job_dir = self._base / "jobs" / name
        cgroup: JobCgroup | None = None
        try:
            argv = self._argv(job)
            if self._cgroups is not None:
                cgroup = self._cgroups.job(name, job.memory_mb + 32, self.max_processes)
            request = self._request(name, job_dir, argv, job, cgroup)
            outcome = await server.submit(request, job.timeout + 10.0)
            result = verdict(outcome, job_dir, limits, cgroup is not None and cgroup.oom_killed())
            spec = job.collect
            if spec is None or result.status == "sandbox_error":
                return result
            files, skipped = read_report(job_dir, spec)
            return result.model_copy(update={"files": files, "files_skipped": skipped})
        except (SandboxFailure, OSError) as error:
            return ExecutionResult(status="sandbox_error", limits=limits, error=str(error))
        finally:
            if cgroup is not None and not cgroup.try_remove():
                await asyncio.to_thread(cgroup.remove)
            shutil.rmtree(job_dir, ignore_errors=True)

    def _argv(self, job: ExecutionJob) -> list[str] | None:
        language = job.lang
        if language.executable is None:
            return language.argv("", job.memory_mb)
        executable = self._executables().get(language.name)
        if executable is None:
            raise SandboxFailure(f"{language.executable!r} ({language.name}) is not on PATH")
        return language.argv(executable, job.memory_mb)

    def _request(
        self,
        name: str,
        job_dir: Path,
        argv: list[str] | None,
        job: ExecutionJob,
        cgroup: JobCgroup | None,
    ) -> dict[str, object]:
        bwrap = self.isolation == "bwrap"
        procs = [
            f"/cgroup/{c}/{name}/cgroup.procs" if bwrap else str(p / name / "cgroup.procs")
            for c, p in (self._cgroups.dirs.items() if self._cgroups and cgroup else [])
        ]
        uid = _bwrap.SANDBOX_UID if bwrap else 65534 if os.geteuid() == 0 else os.getuid()
        return {
            "dir": f"/jobs/{name}" if bwrap else str(job_dir),
            "argv": argv,
            "files": job_files(job.lang.file_name, job.code, dict(job.files)),
            "stdin": job.stdin or "",
            "env": dict(JOB_ENV, TMPDIR="/tmp"),
            "cgroup_procs": procs,
            "collect": job.collect.spec(job.lang.file_name) if job.collect else None,
            "limits": {
                "timeout_s": job.timeout,
                "address_space_mb": job.memory_mb + job.lang.extra_address_space_mb,
                "file_bytes": max(self.max_file_bytes, self.max_output_bytes + 1),
                "open_files": 256,
                "processes": self.max_processes,
                "count_processes_of_uid": uid,
                "disk_mb": self.disk_mb,
            },
        }

    async def aclose(self) -> None:
        """Stop the fork-server and remove the executor's temporary files and cgroups."""
        if self._server is not None:
            await self._server.stop()
            self._server = None
        self._finalizer()

    def close(self) -> None:
        """Stop the fork-server and remove the executor's temporary files and cgroups."""
        if self._server is not None:
            run_sync(self.aclose())
        else:
            self._finalizer()

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
