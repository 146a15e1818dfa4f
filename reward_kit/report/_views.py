"""The pages ``reward-kit view`` serves: one run's report, or two runs' comparison and reports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reward_kit.report._compare import compare_runs
from reward_kit.report._load import RunFiles, find_run
from reward_kit.report._report import render_comparison, render_report

__all__ = ["view_pages"]


def _report(run: RunFiles) -> Callable[[], str]:
    return lambda: render_report(
        run.rows(), run.read_summary(), title=f"reward-kit run · {run.run_dir.name}"
    )


def view_pages(run: str | Path, run2: str | Path | None = None) -> dict[str, Callable[[], str]]:
    """URL path -> page renderer: ``/`` is the report, or with two runs the comparison.

    With two runs, ``/a/`` and ``/b/`` are their reports, linked from the comparison.

    Raises:
        ReportError: a folder is not a run directory (checked before anything is served).
    """
    first = find_run(run)
    if run2 is None:
        return {"/": _report(first)}
    second = find_run(run2)
    links = {"a": "/a/", "b": "/b/"}
    return {
        "/": lambda: render_comparison(compare_runs(first.run_dir, second.run_dir), links=links),
        "/a/": _report(first),
        "/b/": _report(second),
    }
