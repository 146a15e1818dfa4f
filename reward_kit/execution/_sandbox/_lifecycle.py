"""An executor's life in its process: work directories, exit, fork, leftovers of killed runs.

Kept apart from ``local.py`` so the executor there reads as what it does per job.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import Protocol

from reward_kit.execution._sandbox._cgroup import CgroupTree, owner_is_gone

WORK_PREFIX = "reward-kit-exec-"
_MIN_SHM_BYTES = 4 << 30


class _Closable(Protocol):
    def close(self) -> None: ...

    def _forget_server(self) -> None: ...


_live: weakref.WeakSet[_Closable] = weakref.WeakSet()


def track(executor: _Closable) -> None:
    """Close ``executor`` at exit and make it start afresh in a forked child."""
    _live.add(executor)


def _forget_servers_after_fork() -> None:
    """A forked child cannot use its parent's fork-server (it belongs to the parent's loop)."""
    for executor in list(_live):
        executor._forget_server()


os.register_at_fork(after_in_child=_forget_servers_after_fork)


@atexit.register
def _close_all_at_exit() -> None:
    """Stop the fork-servers while the event loop still runs (no pending tasks at exit)."""
    for executor in list(_live):
        with contextlib.suppress(Exception):
            executor.close()


def work_root() -> str:
    """Where executors keep jobs' stdio files: RAM-backed /dev/shm if roomy, else the temp dir.

    Creating and removing a job's files on a disk file system costs about half a millisecond
    per job; on tmpfs it is nearly free.
    """
    with contextlib.suppress(OSError):
        shm = os.statvfs("/dev/shm")
        if shm.f_bavail * shm.f_frsize >= _MIN_SHM_BYTES and os.access("/dev/shm", os.W_OK):
            return "/dev/shm"
    return tempfile.gettempdir()


def new_work_dir() -> Path:
    """A fresh private directory for one executor, after sweeping those of dead processes."""
    for root in {work_root(), tempfile.gettempdir()}:
        with contextlib.suppress(OSError):
            for path in Path(root).glob(f"{WORK_PREFIX}*"):
                if owner_is_gone(path.name, WORK_PREFIX) and path.stat().st_uid == os.getuid():
                    shutil.rmtree(path, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{os.getpid()}-", dir=work_root()))


def readable_by_others(python: str) -> bool:
    """Whether ``nobody`` can load this interpreter (every directory down to it is o+x)."""
    prefix = Path(python).parent.parent
    return all(
        d.stat().st_mode & 0o001
        for d in [*reversed(prefix.parents), prefix, prefix / "lib"]
        if d.exists()
    )


def cleanup(base: Path, cgroups: CgroupTree | None, owner: int) -> None:
    """Remove an executor's directory and cgroups (only in the process that made them)."""
    if os.getpid() != owner:  # a forked child must not delete its parent's sandbox files
        return
    shutil.rmtree(base, ignore_errors=True)
    if cgroups is not None:
        with contextlib.suppress(OSError):
            cgroups.remove()
