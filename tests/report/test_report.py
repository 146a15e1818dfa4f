"""report.html from result rows: self-contained, escaped, and written by write_report."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from reward_kit.report import REPORT_FILE, ReportError, render_report, write_report
from reward_kit.report._data import build_report_data
from tests.report._runs import TIMEOUT_ERROR, make_run, sample_rows


def _block(page: str, block_id: str) -> object:
    match = re.search(f'<script type="application/json" id="{block_id}">(.*?)</script>', page, re.S)
    assert match is not None
    return json.loads(match.group(1))


def test_the_page_needs_no_network(tmp_path: Path) -> None:
    page = write_report(make_run(tmp_path, sample_rows(10)), plots=False).read_text("utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "@import" not in page and "fetch(" not in page


def test_data_survives_markup_in_the_rows(tmp_path: Path) -> None:
    rows = sample_rows(3)
    rows[0]["reason"] = "</script><script>alert(1)</script> {{script}} <!--"
    page = render_report(rows, None, title="t")
    assert page.count("</script>") == page.count("<script")  # no block closed early
    details = _block(page, "rk-details")
    assert isinstance(details, list)
    assert json.loads(details[0])["reason"] == rows[0]["reason"]


def test_rows_errors_and_metrics_are_indexed() -> None:
    rows = sample_rows(20)
    data = build_report_data(rows, None, title="t")
    assert data.meta["metrics"] == ["accuracy", "format"]
    assert set(data.meta["errors"]) == {
        TIMEOUT_ERROR,
        "generation failed: HTTP 500 from the model server",
    }
    table = data.meta["rows"]
    assert len(table) == len(data.details) == 20
    timeout = table[6]
    assert timeout[2] is None and timeout[3] == 0
    assert data.meta["errors"][timeout[4]] == TIMEOUT_ERROR
    assert table[8][5] == 1  # generation failed
    assert table[0][7] == [1.0, 0.5] and table[6][7] == [None, None]
    assert data.meta["summary"]["score"]["count"] == sum(row[3] for row in table)


def test_write_report_uses_the_runs_summary(tmp_path: Path) -> None:
    run = make_run(tmp_path, sample_rows(5))
    summary = json.loads((run / "summary.json").read_text())
    summary["model"] = "from-the-summary"
    (run / "summary.json").write_text(json.dumps(summary))
    path = write_report(run, plots=False)
    assert path == run / REPORT_FILE
    meta = _block(path.read_text("utf-8"), "rk-meta")
    assert isinstance(meta, dict) and meta["summary"]["model"] == "from-the-summary"


def test_a_run_without_summary_is_summarized_from_its_rows(tmp_path: Path) -> None:
    run = make_run(tmp_path, sample_rows(5))
    (run / "summary.json").unlink()
    meta = _block(write_report(run, plots=False).read_text("utf-8"), "rk-meta")
    assert isinstance(meta, dict) and meta["summary"]["rows"] == 5


def test_a_folder_without_results_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="holds no results.jsonl"):
        write_report(tmp_path)
    with pytest.raises(ReportError, match="no such folder"):
        write_report(tmp_path / "missing")
