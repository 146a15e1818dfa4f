"""Where an evaluator's workers run: a bubblewrap sandbox of their own, apart from the server.

Each evaluator's worker processes start inside ``bwrap`` with fresh user, PID, IPC and UTS
namespaces (and a fresh network namespace when its network is switched off). They see the
system's libraries, the Python installation read-only, the evaluator's own code and virtual
environment read-only, and a private ``/tmp``; the registry's folder (its database, every
account's code) is hidden behind an empty ``tmpfs``, other processes (the server, other
tenants' workers) are invisible, and the environment is built from scratch: a few neutral
variables and the account's secrets, which the server hands over and the worker never reads
from the database. Where this process may create cgroups, each evaluator's processes share a
memory and process budget; otherwise each worker gets an address-space limit.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import sys
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import reward_kit
from reward_kit.execution._sandbox import _bwrap
from reward_kit.execution._sandbox._cgroup import CgroupTree, JobCgroup

logger = logging.getLogger("reward_kit.server")

_BASE_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/tmp",
    "TMPDIR": "/tmp",
    "LANG": "C.UTF-8",
    "PYTHONDONTWRITEBYTECODE": "1",
}
_NETWORK_FILES = ("/etc/resolv.conf", "/etc/hosts", "/etc/host.conf", "/etc/gai.conf")
_JOIN_THEN_EXEC = (
    'pid=$$; while [ "$1" != -- ]; do echo "$pid" > "$1" || exit 97; shift; done; shift; '
    'if [ -n "$RK_ULIMIT_KB" ]; then ulimit -v "$RK_ULIMIT_KB" || exit 98; fi; '
    'unset RK_ULIMIT_KB; exec "$@"'
)
"""``sh -c`` script: join the cgroups named before ``--``, set the address-space limit if asked,
then become the sandbox (so no process of the evaluator ever runs outside its budget)."""


@dataclass(frozen=True)
class EvaluatorLimits:
    """What one evaluator's workers may use.

    Attributes:
        memory_mb: Memory of all its worker processes together (with cgroups), or the address
            space of each worker (without).
        processes: Processes and threads of all its workers together (cgroups only).
        network: Whether its workers may reach the network (LLM-judge evaluators need it).
    """

    memory_mb: int = 2048
    processes: int = 256
    network: bool = True


@dataclass(frozen=True)
class Isolation:
    """What this host allows: a working bwrap (None: none works, and why) and cgroups."""

    bwrap: str | None
    problem: str
    cgroups: CgroupTree | None

    @property
    def sandboxed(self) -> bool:
        """Whether evaluators run in sandboxes."""
        return self.bwrap is not None


@functools.cache
def probe_isolation() -> Isolation:
    """Check once whether bubblewrap namespaces and cgroups work on this host."""
    bwrap, problems = _bwrap.find_working_bwrap(_interpreter())
    cgroups = CgroupTree.create() if bwrap is not None else None
    return Isolation(bwrap, "; ".join(problems), cgroups)


def _interpreter() -> str:
    return str(Path(getattr(sys, "_base_executable", None) or sys.executable).resolve())


def _python_dirs() -> list[str]:
    """What a worker needs to run this Python and import reward-kit, and nothing more.

    The prefixes of the installation and of the virtual environment, library folders on
    ``sys.path`` inside them or named ``site-packages``, and reward-kit's own package folder
    (an editable install lives outside any prefix). The current directory is never included.
    """
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    prefixes.add(str(Path(_interpreter()).parent.parent))
    dirs = {str(Path(p).resolve()) for p in prefixes}
    for entry in sys.path:
        if entry and os.path.isdir(entry):
            path = str(Path(entry).resolve())
            if path.endswith(("site-packages", "dist-packages")):
                dirs.add(path)
    dirs.add(str(Path(reward_kit.__file__).resolve().parent))
    return sorted(dirs)


def _inside(path: str, folders: Sequence[str]) -> bool:
    return any(path == folder or path.startswith(folder.rstrip("/") + "/") for folder in folders)


def sandbox_command(
    bwrap: str, hidden: Path, code: Sequence[Path], network: bool, command: list[str]
) -> list[str]:
    """The bwrap command running ``command`` for an evaluator whose files are ``code``.

    Args:
        bwrap: The bwrap binary.
        hidden: The registry's folder, covered by an empty tmpfs wherever it would show.
        code: The evaluator's folders (its source and virtual environment), mounted read-only.
        network: Share the host's network (else a network namespace with loopback only).
        command: The worker's command line.
    """
    argv = [bwrap, "--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts"]
    if not network:
        argv.append("--unshare-net")
    argv += ["--disable-userns", "--die-with-parent", "--new-session"]
    argv += ["--uid", str(_bwrap.SANDBOX_UID), "--gid", str(_bwrap.SANDBOX_UID)]
    for path in _bwrap.SYSTEM_DIRS:
        if os.path.islink(path):
            argv += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            argv += ["--ro-bind", path, path]
    for path in (*_bwrap.ETC_FILES, *(_NETWORK_FILES if network else ())):
        argv += ["--ro-bind-try", path, path]
    # /tmp first: Python or the code may live under the host's /tmp, mounted over it next
    argv += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for path in _python_dirs():
        if not _inside(path, _bwrap.SYSTEM_DIRS):
            argv += ["--ro-bind", path, path]
    argv += ["--tmpfs", str(hidden.resolve())]
    for folder in code:
        if folder.exists():
            argv += ["--ro-bind", str(folder.resolve()), str(folder.resolve())]
    argv += ["--remount-ro", "/", "--chdir", "/tmp"]
    return [*argv, "--", *command]


class EvaluatorSandbox:
    """The launcher of one evaluator's workers, and its cgroup while they run.

    Args:
        isolation: What the host allows (see :func:`probe_isolation`).
        hidden: The registry's folder, never visible to the workers.
        code: The evaluator's folders, visible read-only.
        secrets: The account's secrets, the only variables the workers get besides neutral ones.
        limits: Memory, processes and network of the evaluator.
    """

    def __init__(
        self,
        isolation: Isolation,
        hidden: Path,
        code: Sequence[Path],
        secrets: Mapping[str, str],
        limits: EvaluatorLimits,
    ) -> None:
        self.isolation = isolation
        self.hidden = hidden
        self.code = list(code)
        self.env = {**_BASE_ENV, **secrets}
        self.limits = limits
        self._cgroup: JobCgroup | None = None
        if isolation.sandboxed and isolation.cgroups is not None:
            try:
                name = f"evaluator-{uuid.uuid4().hex[:12]}"
                self._cgroup = isolation.cgroups.job(name, limits.memory_mb, limits.processes)
            except OSError as exc:
                logger.warning("no cgroup for an evaluator (%s); memory is limited per worker", exc)

    def launch(self, command: list[str]) -> tuple[list[str], dict[str, str] | None]:
        """The command and environment of one worker (a ``WorkerPool`` launcher)."""
        env = dict(self.env)
        if self.isolation.bwrap is None:  # single-tenant without namespaces: a clean env only
            env["RK_ULIMIT_KB"] = str(self.limits.memory_mb * 1024)
            return ["/bin/sh", "-c", _JOIN_THEN_EXEC, "sh", "--", *command], env
        sandboxed = sandbox_command(
            self.isolation.bwrap, self.hidden, self.code, self.limits.network, command
        )
        procs = [str(d / "cgroup.procs") for d in self._cgroup.dirs] if self._cgroup else []
        if not procs:
            env["RK_ULIMIT_KB"] = str(self.limits.memory_mb * 1024)
        return ["/bin/sh", "-c", _JOIN_THEN_EXEC, "sh", *procs, "--", *sandboxed], env

    def oom_killed(self) -> bool:
        """Whether the kernel killed one of the evaluator's processes for its memory budget."""
        return self._cgroup is not None and self._cgroup.oom_killed()

    def close(self) -> None:
        """Kill whatever is left in the evaluator's cgroup and remove it."""
        if self._cgroup is not None:
            with contextlib.suppress(OSError):
                self._cgroup.remove()
            self._cgroup = None
