"""Host-side handling of one job: its directory, its request, and the verdict from its outcome."""

from __future__ import annotations

import base64
import signal
from pathlib import Path
from typing import Any

from reward_kit.execution._result import ExecutionLimits, ExecutionResult, ExecutionStatus

JOB_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
_MEMORY_MARKERS = ("MemoryError", "JavaScript heap out of memory", "Cannot allocate memory")


def job_files(file_name: str, code: str, files: dict[str, str | bytes]) -> dict[str, str]:
    """The program and its extra files, base64-encoded for the request (the monitor writes them)."""
    encoded = {}
    for name, content in {**files, file_name: code}.items():
        data = content.encode() if isinstance(content, str) else content
        encoded[name] = base64.b64encode(data).decode()
    return encoded


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
