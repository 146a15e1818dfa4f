"""PNG plots with matplotlib (the report extra)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reward_kit.report import write_report
from reward_kit.report.plots import HISTOGRAM_FILE, METRICS_FILE, write_plots
from tests.report._runs import make_run, sample_rows

pytest.importorskip("matplotlib", reason="matplotlib is in the report extra")

PNG = b"\x89PNG\r\n\x1a\n"


def test_write_report_writes_both_plots(tmp_path: Path) -> None:
    run = make_run(tmp_path, sample_rows(20, wrong={1}))
    write_report(run)
    for name in (HISTOGRAM_FILE, METRICS_FILE):
        assert (run / name).read_bytes().startswith(PNG)


def test_many_distinct_scores_and_no_metrics(tmp_path: Path) -> None:
    rows = sample_rows(30)
    for index, row in enumerate(rows):
        row["metrics"] = {}
        if row["is_score_valid"]:
            row["score"] = index / 7
    summary = json.loads((make_run(tmp_path, rows) / "summary.json").read_text())
    assert len(summary["score_distribution"]) == 10  # binned
    assert write_plots(tmp_path, summary) == [tmp_path / HISTOGRAM_FILE]
