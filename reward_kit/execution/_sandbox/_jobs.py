"""Host-side handling of one job: its directory, its request, and the verdict from its outcome."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

from reward_kit.execution._result import ExecutionLimits, ExecutionResult, ExecutionStatus

JOB_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
_MEMORY_MARKERS = ("MemoryError", "JavaScript heap out of memory", "Cannot allocate memory")


def prepare_dir(
    job_dir: Path,
    file_name: str,
    code: str,
    stdin: str | None,
    files: dict[str, str | bytes],
    owner: int | None,
) -> None:
    """Create ``in/`` (the program and its files), ``stdin``, and empty ``stdout``/``stderr``.

    In rlimits mode as root the job runs as ``owner`` (nobody), which then owns ``in/`` only.
    """
    source = job_dir / "in"
    source.mkdir(parents=True)
    for name, content in {**files, file_name: code}.items():
        path = source / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        path.write_bytes(data)
    (job_dir / "stdin").write_text(stdin or "")
    (job_dir / "stdin").chmod(0o600)
    (job_dir / "stdout").touch(0o644)
    (job_dir / "stderr").touch(0o644)
    if owner is not None:
        # Only the program's own directory changes hands: its stdio files stay the host's.
        for root, dirs, names in os.walk(source):
            for name in [*dirs, *names]:
                os.chown(os.path.join(root, name), owner, owner)
        os.chown(source, owner, owner)


def read_capped(path: Path, cap: int) -> tuple[str, bool]:
    """The first ``cap`` bytes of a file as text, and whether there was more."""
    try:
        with path.open("rb") as stream:
            data = stream.read(cap + 1)
    except OSError:
        return "", False
    return data[:cap].decode(errors="replace"), len(data) > cap


def verdict(
    outcome: dict[str, Any], job_dir: Path, limits: ExecutionLimits, oom_killed: bool
) -> ExecutionResult:
    """Decide the status from what the trusted monitor saw and what the program printed."""
    if "setup_error" in outcome:
        return ExecutionResult(
            status="sandbox_error",
            limits=limits,
            error=f"sandbox setup failed: {outcome['setup_error']}",
        )
    stdout, out_cut = read_capped(job_dir / "stdout", limits.max_output_bytes)
    stderr, err_cut = read_capped(job_dir / "stderr", limits.max_output_bytes)
    code = int(outcome["exit_code"])
    killed_for_cpu = code in (-signal.SIGXCPU, -signal.SIGKILL) and (
        outcome["cpu_s"] >= int(limits.timeout_s) + 1
    )
    tail = stderr[-4000:] if code != 0 else ""
    status: ExecutionStatus
    if outcome["timed_out"] or killed_for_cpu:
        status = "timeout"
    elif out_cut or err_cut or code == -signal.SIGXFSZ:
        status = "output_limit"
    elif oom_killed or (code != 0 and any(m in tail for m in _MEMORY_MARKERS)):
        status = "memory_exceeded"
    else:
        status = "ok" if code == 0 else "error"
    return ExecutionResult(
        status=status,
        exit_code=code,
        stdout=stdout,
        stderr=stderr,
        stdout_truncated=out_cut,
        stderr_truncated=err_cut,
        duration_s=float(outcome["duration_s"]),
        limits=limits,
    )
