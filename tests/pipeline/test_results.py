"""Result files: streamed rows, and the clean-up that makes resuming safe."""

from __future__ import annotations

import json
import re

import pytest

from reward_kit.models import EvaluateResult, MetricResult
from reward_kit.pipeline.results import (
    ResultsFileError,
    ResultWriter,
    iter_results,
    prepare_resume,
    read_results,
    result_row,
    sort_results,
    summary_fields,
)


def _row(sample_id, variant=0, generation_error=None):
    return {"id": sample_id, "variant": variant, "generation": {"error": generation_error}}


def test_rows_are_on_disk_as_soon_as_they_are_written(tmp_path):
    path = tmp_path / "results.jsonl"
    writer = ResultWriter(path)
    writer.write(_row("a"))
    assert json.loads(path.read_text()) == _row("a")
    writer.write_many([_row("b"), _row("c", 1)])
    writer.write_many([])
    assert [(row["id"], row["variant"]) for row in read_results(path)] == [
        ("a", 0),
        ("b", 0),
        ("c", 1),
    ]
    writer.close()


def test_a_partial_last_line_is_dropped_and_the_file_repaired(tmp_path):
    path = tmp_path / "results.jsonl"
    path.write_text(json.dumps(_row("a")) + "\n" + json.dumps(_row("b"))[:10])

    kept = prepare_resume(path, redo_generation_errors=True)

    assert [row["id"] for row in kept] == ["a"]
    assert path.read_text() == json.dumps(_row("a")) + "\n"
    with ResultWriter(path) as writer:
        writer.write(_row("b"))
    assert [row["id"] for row in read_results(path)] == ["a", "b"]


def test_generation_errors_and_duplicates_are_dropped_for_redoing(tmp_path):
    path = tmp_path / "results.jsonl"
    rows = [_row("a"), _row("b", generation_error="HTTP 500"), _row("a"), _row("c", 1)]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))

    kept = prepare_resume(path, redo_generation_errors=True)

    assert [(row["id"], row["variant"]) for row in kept] == [("a", 0), ("c", 1)]
    assert len(read_results(path)) == 2


def test_keeping_generation_errors_when_asked(tmp_path):
    path = tmp_path / "results.jsonl"
    path.write_text(json.dumps(_row("b", generation_error="HTTP 500")) + "\n")
    assert len(prepare_resume(path, redo_generation_errors=False)) == 1


def test_a_missing_file_means_nothing_is_done(tmp_path):
    assert prepare_resume(tmp_path / "none.jsonl", redo_generation_errors=True) == []


def test_result_row_shapes():
    result = EvaluateResult(score=0.5, reason="half", metrics={"m": MetricResult(score=1.0)})
    row = result_row(
        sample_id="x", variant=1, messages=[], ground_truth="4", result=result, generation=None
    )
    assert row["score"] == 0.5 and row["metrics"]["m"]["score"] == 1.0 and row["error"] is None
    failed = result_row(
        sample_id="x",
        variant=0,
        messages=[],
        ground_truth=None,
        result=None,
        generation={"error": "timed out"},
    )
    assert failed["score"] is None and failed["is_score_valid"] is False
    assert failed["error"] == "generation failed: timed out"


def test_readers_leave_out_a_partial_last_line_and_blank_lines(tmp_path):
    path = tmp_path / "results.jsonl"
    path.write_text(json.dumps(_row("a")) + "\n\n" + json.dumps(_row("b"))[:5])
    assert [row["id"] for row in iter_results(path)] == ["a"]
    assert [row["id"] for row in read_results(path)] == ["a"]
    assert list(iter_results(tmp_path / "missing.jsonl")) == []


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("not json", "line 2: not JSON"),
        ("[1, 2]", "line 2: not a result row"),
        ('{"id": "b"}', "line 2: not a result row"),
        (b'{"id": "b\xff\xfe", "variant": 0}', "line 2: not UTF-8 (byte 10 is 0xff)"),
        (b"[" * 100_000 + b"]" * 100_000, "line 2: JSON nested too deeply to read"),
    ],
)
def test_a_bad_line_before_the_last_is_an_error_for_every_reader(tmp_path, line, problem):
    path = tmp_path / "results.jsonl"
    line = line if isinstance(line, bytes) else line.encode()
    text = json.dumps(_row("a")).encode() + b"\n" + line + b"\n" + json.dumps(_row("c")).encode()
    text += b"\n"
    path.write_bytes(text)
    readers = [
        lambda: list(iter_results(path)),
        lambda: read_results(path),
        lambda: prepare_resume(path, redo_generation_errors=True),
        lambda: sort_results(path, ["c", "a"]),
    ]
    for read in readers:
        with pytest.raises(ResultsFileError, match=re.escape(f"{path}, {problem}")):
            read()
    assert path.read_bytes() == text  # nothing is rewritten around a line it could not read


def test_a_byte_order_mark_before_a_row_is_read(tmp_path):
    path = tmp_path / "results.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(_row("a")).encode() + b"\n")
    assert [row["id"] for row in iter_results(path)] == ["a"]


def test_a_bad_complete_last_line_is_an_error_too(tmp_path):
    path = tmp_path / "results.jsonl"
    path.write_text(json.dumps(_row("a")) + "\n" + "{broken\n")
    with pytest.raises(ResultsFileError, match="line 2: not JSON"):
        prepare_resume(path, redo_generation_errors=True)


def test_summary_fields_leave_the_conversation_out():
    row = result_row(
        sample_id="x",
        variant=0,
        messages=[{"role": "user", "content": "hi"}],
        ground_truth="4",
        result=EvaluateResult(score=1.0),
        generation=None,
    )
    assert set(summary_fields(row)) == {
        "id",
        "variant",
        "score",
        "is_score_valid",
        "metrics",
        "generation",
        "error",
    }
