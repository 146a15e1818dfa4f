"""Per-job cgroups: one memory and process budget for a job's whole process tree.

Used where this process may create cgroups (root on most hosts, or a delegated cgroup v2
subtree). The host creates a job's cgroup and writes its limits; the sandbox's job monitor only
writes the job's PID into ``cgroup.procs`` and then hides the cgroup files from the job.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

_ROOT = Path("/sys/fs/cgroup")


@dataclass(frozen=True)
class JobCgroup:
    """The cgroup directories of one job (one per v1 controller, or one v2 directory)."""

    dirs: tuple[Path, ...]
    version: int

    def oom_killed(self) -> bool:
        """Whether the kernel killed a process of this job for exceeding its memory limit."""
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        for path in self.dirs:
            for line in _read(path / name).splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill" and int(value) > 0:
                    return True
        return False

    def try_remove(self) -> bool:
        """Delete the job's cgroups if they are already empty (the usual case); True if done."""
        for path in self.dirs:
            with contextlib.suppress(FileNotFoundError):
                try:
                    path.rmdir()
                except OSError:
                    return False
        return True

    def remove(self, deadline_s: float = 5.0) -> None:
        """Kill everything still in the job's cgroups (a fork bomb keeps forking), then delete."""
        give_up = time.monotonic() + deadline_s
        while not self.try_remove() and time.monotonic() < give_up:
            for path in self.dirs:
                for pid in _read(path / "cgroup.procs").split():
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.kill(int(pid), signal.SIGKILL)
            time.sleep(0.002)


class CgroupTree:
    """The executor's own cgroup subtree, under which each job gets a child cgroup."""

    def __init__(self, dirs: dict[str, Path], version: int) -> None:
        self.dirs = dirs
        self.version = version

    @classmethod
    def create(cls) -> CgroupTree | None:
        """A fresh subtree if this process may create cgroups with memory and pids limits."""
        name = f"reward-kit-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        own = _own_cgroups()
        try:
            if "memory" in own and "pids" in own:
                dirs = {c: _ROOT / c / own[c].lstrip("/") / name for c in ("memory", "pids")}
                for path in dirs.values():
                    _remove_stale_siblings(path.parent, version=1)
                    path.mkdir()
                return cls(dirs, version=1)
            if "" in own and {"memory", "pids"} <= set(_read(_ROOT / "cgroup.controllers").split()):
                path = _ROOT / own[""].lstrip("/") / name
                _remove_stale_siblings(path.parent, version=2)
                path.mkdir()
                (path / "cgroup.subtree_control").write_text("+memory +pids")
                return cls({"unified": path}, version=2)
        except OSError:
            return None
        return None

    def job(self, name: str, memory_mb: int, processes: int) -> JobCgroup:
        """Create the cgroup of one job with its memory and process limits."""
        memory = str(memory_mb * 1024 * 1024)
        made = []
        try:
            for controller, parent in self.dirs.items():
                path = parent / name
                path.mkdir()
                made.append(path)
                if self.version == 2:
                    (path / "memory.max").write_text(memory)
                    (path / "memory.swap.max").write_text("0")
                    (path / "pids.max").write_text(str(processes))
                elif controller == "memory":
                    (path / "memory.limit_in_bytes").write_text(memory)
                    with contextlib.suppress(OSError):
                        (path / "memory.memsw.limit_in_bytes").write_text(memory)
                else:
                    (path / "pids.max").write_text(str(processes))
        except OSError:
            JobCgroup(tuple(made), self.version).remove()
            raise
        return JobCgroup(tuple(made), self.version)

    def remove(self) -> None:
        """Delete the subtree (jobs' cgroups must already be gone)."""
        for path in self.dirs.values():
            with contextlib.suppress(OSError):
                path.rmdir()


def owner_is_gone(name: str, prefix: str) -> bool:
    """Whether ``name`` is ``<prefix><pid>-...`` of a process that no longer exists."""
    pid = name[len(prefix) :].split("-", 1)[0]
    if not name.startswith(prefix) or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _remove_stale_siblings(parent: Path, version: int) -> None:
    """Delete subtrees left by reward-kit processes that were killed before cleaning up."""
    with contextlib.suppress(OSError):
        for tree in parent.iterdir():
            if tree.is_dir() and owner_is_gone(tree.name, "reward-kit-"):
                jobs = tuple(p for p in tree.iterdir() if p.is_dir())
                JobCgroup(jobs, version).remove(deadline_s=1.0)
                with contextlib.suppress(OSError):
                    tree.rmdir()


def _own_cgroups() -> dict[str, str]:
    """Controller name -> this process's cgroup path ("" is the v2 unified hierarchy)."""
    found: dict[str, str] = {}
    for line in _read(Path("/proc/self/cgroup")).splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(","):
            found[controller] = path
    return found


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""
