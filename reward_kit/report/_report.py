"""Writing a run's ``report.html`` (and its PNG plots) from its result rows and summary."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from reward_kit._atomic import write_text_atomically
from reward_kit.report._data import ReportData, build_report_data
from reward_kit.report._html import json_block, render_page
from reward_kit.report._load import find_run

__all__ = ["REPORT_FILE", "render_comparison", "render_report", "write_html", "write_report"]

REPORT_FILE = "report.html"


def render_report(
    rows: Iterable[dict[str, Any]], summary: dict[str, Any] | None, *, title: str
) -> str:
    """The report page of ``rows`` as one self-contained HTML document.

    Args:
        rows: Result rows, in the order the table shows them first.
        summary: The run's summary (computed from ``rows`` when ``None``).
        title: The page title.
    """
    return _page(build_report_data(rows, summary, title=title))


def _page(data: ReportData) -> str:
    return render_page(
        "report.html",
        title=data.meta["title"],
        scripts=["common.js", "report.js"],
        blocks=[json_block("rk-meta", data.meta)],
        details=json_block("rk-details", data.details),
    )


def write_html(path: Path, page: str) -> Path:
    """Write ``page`` atomically (a reader never sees half a report); returns ``path``."""
    write_text_atomically(path, page)
    return path


def write_report(run_dir: str | Path, *, plots: bool = True) -> Path:
    """Write ``report.html`` into a run directory, from its ``results.jsonl`` and ``summary.json``.

    The page needs nothing else: no server, no network. With the ``report`` extra installed
    (matplotlib), the PNG plots are written beside it too (see :mod:`reward_kit.report.plots`).

    Args:
        run_dir: A run directory of ``reward-kit run``, ``preview`` or ``agent-eval``.
        plots: Also write the PNG plots when matplotlib is installed.

    Returns:
        The path of ``report.html``.

    Raises:
        ReportError: ``run_dir`` holds no ``results.jsonl``, or its summary is not JSON.
    """
    run = find_run(run_dir)
    title = f"reward-kit run · {run.run_dir.name}"
    data = build_report_data(run.rows(), run.read_summary(), title=title)
    path = write_html(run.run_dir / REPORT_FILE, _page(data))
    if plots:
        from reward_kit.report.plots import write_plots_if_available

        write_plots_if_available(run.run_dir, data.meta["summary"])
    return path


def render_comparison(diff: dict[str, Any], *, links: dict[str, str] | None = None) -> str:
    """The comparison page of a :func:`~reward_kit.report.compare_runs` result.

    Args:
        diff: The comparison data.
        links: Where the page links each run's report (``{"a": URL, "b": URL}``), if anywhere.
    """
    data = {**diff, "links": links or {}}
    return render_page(
        "compare.html",
        title="reward-kit compare",
        scripts=["common.js", "compare.js"],
        blocks=[json_block("rk-diff", data)],
    )
