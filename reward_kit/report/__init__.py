"""Run reports: a self-contained ``report.html`` per run, PNG plots, and run comparison.

Everything here works from a run's result rows and ``summary.json`` only, so any command that
leaves a run directory (``run``, ``preview``, ``agent-eval``) can call :func:`write_report`.

Example::

    from reward_kit.report import compare_runs, write_report

    write_report("outputs/run-a")            # -> outputs/run-a/report.html
    diff = compare_runs("outputs/run-a", "outputs/run-b")
"""

from __future__ import annotations

from reward_kit.report._compare import compare_runs
from reward_kit.report._load import ReportError
from reward_kit.report._report import (
    REPORT_FILE,
    render_comparison,
    render_report,
    write_report,
)

__all__ = [
    "REPORT_FILE",
    "ReportError",
    "compare_runs",
    "render_comparison",
    "render_report",
    "write_report",
]
