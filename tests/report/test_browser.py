"""The report and comparison pages in headless Chromium, opened from disk with no network."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reward_kit.report import compare_runs, render_comparison, write_report
from tests.report._runs import TIMEOUT_ERROR, make_run, sample_rows


def _open(page: Any, path: Path) -> None:
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready='1']")


def _card(page: Any, key: str) -> str:
    return str(page.text_content(f"[data-card='{key}'] .value"))


def _shown_ids(page: Any) -> list[str]:
    return page.eval_on_selector_all("#rows tr", "rows => rows.map(r => r.cells[0].textContent)")


def test_cards_show_the_summary_numbers(page: Any, tmp_path: Path) -> None:
    rows = sample_rows(30, wrong={1, 2})
    report = write_report(make_run(tmp_path / "run", rows), plots=False)
    _open(page, report)
    valid = [row for row in rows if row["is_score_valid"]]
    expected_mean = sum(row["score"] for row in valid) / len(valid)
    assert _card(page, "mean") == f"{expected_mean:.4f}"
    assert _card(page, "valid") == str(len(valid))
    assert _card(page, "invalid") == str(len(rows) - len(valid))
    generation_failures = sum(1 for row in rows if row["generation"])
    assert _card(page, "generation-errors") == str(generation_failures)
    assert _card(page, "scoring-errors") == str(len(rows) - len(valid) - generation_failures)
    assert page.text_content("#count") == f"{len(rows)} of {len(rows)} rows"
    assert page.locator("#histogram svg rect").count() == 2  # scores 0 and 1
    assert page.locator("#metric-bars svg rect").count() == 2  # accuracy, format
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert (tmp_path / "report.png").stat().st_size > 0


def test_errors_only_shows_exactly_the_error_rows(page: Any, tmp_path: Path) -> None:
    rows = sample_rows(40)
    _open(page, write_report(make_run(tmp_path / "run", rows), plots=False))
    page.check("#f-errors")
    expected = [row["id"] for row in rows if not row["is_score_valid"]]
    assert _shown_ids(page) == expected
    assert page.text_content("#count") == f"{len(expected)} of {len(rows)} rows"
    page.uncheck("#f-errors")
    page.click(f"#errors tr:has-text('{TIMEOUT_ERROR}')")  # one error group
    timeouts = [row["id"] for row in rows if row["error"] == TIMEOUT_ERROR]
    assert _shown_ids(page) == timeouts
    assert page.text_content(f"#errors tr:has-text('{TIMEOUT_ERROR}') td.count") == str(
        len(timeouts)
    )


def test_clicking_a_row_opens_its_conversation(page: Any, tmp_path: Path) -> None:
    _open(page, write_report(make_run(tmp_path / "run", sample_rows(12)), plots=False))
    page.click("#rows tr:has-text('s005')")
    panel = page.locator("#sample")
    assert panel.is_visible()
    assert page.text_content("#sample-title") == "sample s005"
    roles = page.eval_on_selector_all(
        "#sample .msg", "nodes => nodes.map(n => n.getAttribute('data-role'))"
    )
    assert roles == ["system", "user", "assistant", "tool", "assistant"]
    text = str(panel.text_content())
    assert "tool call calculator" in text and '"expr": "1+1"' in text
    assert "thinking about 5" in text  # the reasoning
    assert "</script><b>not bold</b>" in text  # markup in the data is shown as text
    assert page.locator("#sample tr[data-metric='accuracy']").count() == 1
    assert "reason 5" in text
    page.screenshot(path=str(tmp_path / "sample.png"))
    page.keyboard.press("Escape")
    assert not panel.is_visible()


def test_sort_score_range_metric_and_search(page: Any, tmp_path: Path) -> None:
    rows = sample_rows(30, wrong={0, 3})
    _open(page, write_report(make_run(tmp_path / "run", rows), plots=False))
    page.fill("#f-max", "0.5")
    page.dispatch_event("#f-max", "change")
    assert _shown_ids(page) == ["s000", "s003"]
    page.fill("#f-max", "")
    page.dispatch_event("#f-max", "change")
    page.select_option("#f-metric", "format")  # rows without the metric drop out
    assert len(_shown_ids(page)) == sum(1 for row in rows if row["metrics"])
    page.select_option("#f-metric", "")
    page.fill("#f-search", "what is 11 + 11")
    page.wait_for_function("document.querySelectorAll('#rows tr').length === 1")
    assert _shown_ids(page) == ["s011"]
    page.fill("#f-search", "")
    page.wait_for_function("document.querySelectorAll('#rows tr').length === 30")
    page.click("th[data-key='score']")
    scores = page.eval_on_selector_all("#rows tr", "rows => rows.map(r => r.cells[2].textContent)")
    assert scores[:2] == ["0.000", "0.000"] and scores[-1] == "\u2013"  # unscored rows last


def test_large_runs_are_paginated(page: Any, tmp_path: Path) -> None:
    _open(page, write_report(make_run(tmp_path / "run", sample_rows(250)), plots=False))
    assert page.locator("#rows tr").count() == 100
    assert page.text_content("#page") == "page 1 of 3"
    page.click("#next")
    page.click("#next")
    assert page.locator("#rows tr").count() == 50


def test_comparison_lists_the_changed_samples(page: Any, tmp_path: Path) -> None:
    first = make_run(tmp_path / "a", sample_rows(20, wrong={1, 2}))
    changed = sample_rows(20, wrong={2, 3})
    changed[4] = sample_rows(20)[6] | {"id": "s004"}  # s004 now times out
    second = make_run(tmp_path / "b", changed)
    path = tmp_path / "compare.html"
    path.write_text(render_comparison(compare_runs(first, second)), encoding="utf-8")
    _open(page, path)
    listed = page.eval_on_selector_all(
        "#rows tr", "rows => rows.map(r => [r.dataset.id, r.dataset.status])"
    )
    assert sorted(listed) == [
        ["s001", "improved"],
        ["s003", "regressed"],
        ["s004", "new_error"],
    ]
    assert _card(page, "regressed") == "1" and _card(page, "improved") == "1"
    page.select_option("#f-status", "regressed")
    assert page.locator("#rows tr").count() == 1
    page.click("#rows tr")
    assert "sample s003" in str(page.text_content("#sample-title"))
    page.screenshot(path=str(tmp_path / "compare.png"), full_page=True)


def test_a_sample_with_step_rewards_shows_each_step(page: Any, tmp_path: Path) -> None:
    from reward_kit.models import EvaluateResult, StepOutput
    from reward_kit.pipeline.results import result_row

    steps = [
        StepOutput(step_index=0, base_reward=1.0, reason="calls match"),
        StepOutput(step_index=1, base_reward=0.0, reason="expected book_flight"),
    ]
    row = result_row(
        sample_id="trajectory",
        variant=0,
        messages=[{"role": "user", "content": "book"}, {"role": "assistant", "content": "ok"}],
        ground_truth=None,
        result=EvaluateResult(score=0.0, reason="1 of 2 turns match", step_outputs=steps),
        generation=None,
    )
    assert [step["base_reward"] for step in row["step_outputs"]] == [1.0, 0.0]
    _open(page, write_report(make_run(tmp_path / "run", [row]), plots=False))
    page.click("#rows tr:has-text('trajectory')")
    cells = page.eval_on_selector_all(
        "#sample-steps tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
    )
    assert [cell[0] for cell in cells] == ["0", "1"]
    assert cells[1][2] == "expected book_flight"
