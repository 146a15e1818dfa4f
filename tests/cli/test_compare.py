"""``reward-kit compare A B --output diff.json`` as CI runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.report._runs import make_run, sample_rows


def _compare(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reward_kit", "compare", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_writes_the_comparison_as_json(tmp_path: Path) -> None:
    first = make_run(tmp_path / "a", sample_rows(20, wrong={1}))
    second = make_run(tmp_path / "b", sample_rows(20, wrong={2, 3}))
    output = tmp_path / "diff.json"
    done = _compare(str(first), str(second), "--output", str(output))
    assert done.returncode == 0, done.stderr
    diff = json.loads(output.read_text())
    assert diff["a"] == str(first) and diff["b"] == str(second)
    assert diff["counts"]["improved"] == 1 and diff["counts"]["regressed"] == 2
    assert {s["id"] for s in diff["samples"]} == {"s001", "s002", "s003"}
    assert diff["score"]["delta"] < 0 and "ci95" in diff["score"]
    assert set(diff["metrics"]) == {"accuracy", "format"}
    assert "improved 1, regressed 2" in done.stdout
    assert f"comparison written to {output}" in done.stdout


def test_new_errors_are_printed(tmp_path: Path) -> None:
    rows = sample_rows(10)
    first = make_run(tmp_path / "a", [row for row in rows if row["is_score_valid"]])
    second = make_run(tmp_path / "b", rows)
    done = _compare(str(first), str(second))
    assert done.returncode == 0, done.stderr
    assert "new error (1 rows): reward timed out after 5 s" in done.stdout
    assert "2 only in B" in done.stdout


def test_missing_run_is_an_error(tmp_path: Path) -> None:
    done = _compare(str(tmp_path / "nope"), str(tmp_path))
    assert done.returncode == 1
    assert "no such folder" in done.stderr


def test_fail_on_regression_gates_ci_on_a_significant_drop(tmp_path: Path) -> None:
    baseline = make_run(tmp_path / "a", sample_rows(40))
    same = make_run(tmp_path / "same", sample_rows(40))
    worse = make_run(tmp_path / "worse", sample_rows(40, wrong=set(range(0, 40, 2))))
    assert _compare(str(baseline), str(same), "--fail-on-regression").returncode == 0
    done = _compare(str(baseline), str(worse), "--fail-on-regression")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "regression: the score dropped by" in done.stdout
    assert _compare(str(baseline), str(worse)).returncode == 0


def test_an_output_that_is_a_folder_or_in_no_folder_is_refused_before_comparing(
    tmp_path: Path,
) -> None:
    first = make_run(tmp_path / "a", sample_rows(5))
    (tmp_path / "out").mkdir()
    cases = {
        str(tmp_path / "out"): f"is a folder; give a file such as {tmp_path}/out/comparison.json",
        str(tmp_path / "no" / "c.json"): "its folder does not exist",
    }
    for output, problem in cases.items():
        completed = _compare(str(first), str(first), "--output", output)
        assert completed.returncode == 1
        expected = f"reward-kit compare: error: --output {output}: {problem}"
        assert completed.stderr.strip() == expected
        assert completed.stdout == ""  # refused before the comparison was printed
    assert list((tmp_path / "out").iterdir()) == []


def test_a_results_line_too_deep_to_read_names_its_file_and_line(tmp_path: Path) -> None:
    first = make_run(tmp_path / "a", sample_rows(2))
    with (first / "results.jsonl").open("ab") as handle:
        handle.write(b"[" * 100_000 + b"]" * 100_000 + b"\n")
    completed = _compare(str(first), str(first))
    assert completed.returncode == 1
    assert completed.stderr.strip() == (
        f"reward-kit compare: error: {first}/results.jsonl, line 3: JSON nested too deeply to "
        "read; repair or delete that line"
    )
