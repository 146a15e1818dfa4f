"""compare_runs: matching by id and variant, paired deltas, changed samples, error changes."""

from __future__ import annotations

import math
from pathlib import Path

from reward_kit.report import compare_runs
from reward_kit.report._compare import compare_rows
from tests.report._runs import TIMEOUT_ERROR, make_run, sample_rows


def _row(sample_id: str, score: float | None, variant: int = 0, **metrics: float) -> dict:
    return {
        "id": sample_id,
        "variant": variant,
        "score": score,
        "is_score_valid": score is not None,
        "error": None if score is not None else "boom",
        "metrics": {
            name: {"score": value, "is_score_valid": True} for name, value in metrics.items()
        },
        "messages": [{"role": "assistant", "content": f"answer {score}"}],
    }


def test_paired_delta_and_interval_by_hand() -> None:
    a = [_row("x", 0.0), _row("y", 0.5), _row("z", 1.0), _row("w", 0.2)]
    b = [_row("x", 1.0), _row("y", 0.5), _row("z", 0.5), _row("w", 0.6)]
    score = compare_rows(a, b)["score"]
    differences = [1.0, 0.0, -0.5, 0.4]
    mean = sum(differences) / 4
    stderr = math.sqrt(sum((d - mean) ** 2 for d in differences) / 3 / 4)
    assert math.isclose(score["delta"], mean) and math.isclose(score["stderr"], stderr)
    assert math.isclose(score["ci95"][0], mean - 3.182 * stderr)  # t with 3 degrees of freedom
    assert score["mean_a"] == 0.425 and score["mean_b"] == 0.65


def test_statuses_and_matching_by_id_and_variant() -> None:
    a = [_row("x", 0.0), _row("x", 1.0, variant=1), _row("y", 1.0), _row("gone", 1.0)]
    b = [_row("x", 1.0), _row("x", 0.0, variant=1), _row("y", None), _row("new", 1.0)]
    diff = compare_rows(a, b)
    assert diff["matched"] == 3
    assert diff["only_in_a"] == [["gone", "0"]] and diff["only_in_b"] == [["new", "0"]]
    statuses = {(s["id"], s["variant"]): s["status"] for s in diff["samples"]}
    assert statuses == {("x", "0"): "improved", ("x", "1"): "regressed", ("y", "0"): "new_error"}
    assert [s["status"] for s in diff["samples"]] == ["regressed", "new_error", "improved"]
    assert diff["samples"][0]["response_a"] == "answer 1.0"
    assert diff["score"]["pairs"] == 2  # the new error is not a score change
    assert diff["errors"]["new"] == [{"error": "boom", "count_a": 0, "count_b": 1}]


def test_metric_deltas_use_rows_valid_in_both() -> None:
    a = [_row("x", 1.0, acc=1.0), _row("y", 0.0, acc=0.0)]
    b = [_row("x", 1.0, acc=0.0), _row("y", 0.0)]
    metrics = compare_rows(a, b)["metrics"]
    assert metrics["acc"]["pairs"] == 1 and metrics["acc"]["delta"] == -1.0
    assert metrics["acc"]["ci95"] is None  # one pair: no interval


def test_identical_runs_have_zero_delta(tmp_path: Path) -> None:
    run = make_run(tmp_path / "a", sample_rows(20))
    diff = compare_runs(run, run)
    assert diff["samples"] == [] and diff["score"]["delta"] == 0.0
    assert diff["score"]["ci95"] == [0.0, 0.0]
    assert diff["counts"]["still_error"] == sum(
        1 for r in sample_rows(20) if not r["is_score_valid"]
    )
    assert {entry["error"] for entry in diff["errors"]["by_message"]} >= {TIMEOUT_ERROR}
    assert diff["errors"]["new"] == [] and diff["errors"]["removed"] == []
