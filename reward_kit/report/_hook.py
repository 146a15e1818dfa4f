"""The last step of a command that leaves results: write the report and name it."""

from __future__ import annotations

import sys
from pathlib import Path

from reward_kit.report._report import write_report

__all__ = ["write_report_and_say"]


def write_report_and_say(run_dir: Path, command: str) -> Path | None:
    """Write ``report.html`` into ``run_dir`` and print its path.

    A report that cannot be written is said on stderr but never fails the command: the results
    it would show are already on disk.

    Args:
        run_dir: The run directory.
        command: The subcommand, for the message (``run``, ``preview``...).
    """
    try:
        path = write_report(run_dir)
    except Exception as exc:
        print(f"reward-kit {command}: could not write report.html: {exc}", file=sys.stderr)
        return None
    print(f"report: {path} (reward-kit view {run_dir})", flush=True)
    return path
