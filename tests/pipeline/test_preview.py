"""Preview: samples from files and run directories, metrics folders, a remote evaluator."""

from __future__ import annotations

import textwrap

import pytest

from reward_kit.errors import RewardKitError, RewardNotFoundError
from reward_kit.pipeline.preview import (
    PreviewError,
    load_metrics_folders,
    load_preview_samples,
    run_preview,
)
from tests._servers.evaluator_stub import Reply, running_evaluator_stub
from tests.pipeline.conftest import write_jsonl

SAMPLES = [
    {
        "id": "right",
        "messages": [{"role": "user", "content": "2+2"}, {"role": "assistant", "content": "4"}],
        "ground_truth": "4",
    },
    {
        "id": "wrong",
        "messages": [{"role": "user", "content": "2+3"}, {"role": "assistant", "content": "6"}],
        "ground_truth": "5",
    },
    {"id": "empty", "ground_truth": "1"},
]


def _metrics_folder(root, name, body):
    folder = root / name
    folder.mkdir()
    (folder / "main.py").write_text(textwrap.dedent(body))
    return f"{name}={folder}"


EXACT = """
    from reward_kit import EvaluateResult, reward_function

    @reward_function
    def evaluate(messages, ground_truth=None, **kwargs):
        right = messages[-1].content == ground_truth
        return EvaluateResult(score=1.0 if right else 0.0, reason="exact")
"""


def test_scores_with_each_metrics_folder_and_keeps_failures(tmp_path):
    broken = """
        from reward_kit import reward_function

        @reward_function
        def evaluate(messages, **kwargs):
            raise ValueError("this metric is broken")
    """
    metrics = load_metrics_folders(
        [_metrics_folder(tmp_path, "exact", EXACT), _metrics_folder(tmp_path, "broken", broken)]
    )

    result = run_preview(SAMPLES, metrics=metrics)

    exact = result.results["exact"]
    assert [r.score for r in exact[:2]] == [1.0, 0.0]
    assert exact[2].is_score_valid is False and "no 'messages'" in exact[2].error
    assert all(not r.is_score_valid for r in result.results["broken"])
    assert "this metric is broken" in result.results["broken"][0].error
    summary = result.summary()
    assert summary["exact"] == {"valid": 2, "invalid": 1, "mean": 0.5}
    assert summary["broken"] == {"valid": 0, "invalid": 3, "mean": None}
    assert result.rows()[0]["results"]["exact"]["score"] == 1.0


def test_remote_evaluator_uses_the_wire_format(tmp_path):
    with running_evaluator_stub() as stub:
        stub.script.extend([Reply(status=400, body={"detail": "bad sample"})])
        result = run_preview(SAMPLES[:2], remote_url=stub.url)
    scores = result.results["remote"]
    assert sorted(r.is_score_valid for r in scores) == [False, True]
    assert any("bad sample" in (r.error or "") for r in scores)
    assert {"messages", "ground_truth"} <= set(stub.requests[0])


def test_samples_from_a_run_directory_and_limits(tmp_path):
    write_jsonl(tmp_path / "preview_input_output_pairs.jsonl", SAMPLES)
    assert len(load_preview_samples(tmp_path)) == 3
    assert (
        len(load_preview_samples(tmp_path / "preview_input_output_pairs.jsonl", max_samples=2)) == 2
    )


def test_bad_inputs_say_what_and_where(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"messages": []}\n[1, 2]\n')
    with pytest.raises(PreviewError, match="line 2: expected a JSON object"):
        load_preview_samples(bad)
    with pytest.raises(PreviewError, match="not found"):
        load_preview_samples(tmp_path / "missing.jsonl")
    with pytest.raises(RewardKitError, match="NAME=PATH"):
        load_metrics_folders(["just-a-path"])
    with pytest.raises(RewardNotFoundError, match="main.py does not exist"):
        load_metrics_folders([f"x={tmp_path}"])
    with pytest.raises(PreviewError, match="nothing to score with"):
        run_preview(SAMPLES)


def test_empty_samples_file_and_bad_limits_are_errors_not_empty_tables(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    with pytest.raises(PreviewError, match="empty.jsonl holds no samples"):
        load_preview_samples(empty)
    write_jsonl(tmp_path / "samples.jsonl", SAMPLES)
    for limit in (0, -1):
        with pytest.raises(PreviewError, match="--max-samples must be at least 1"):
            load_preview_samples(tmp_path / "samples.jsonl", max_samples=limit)


def test_remote_url_without_a_scheme_is_rejected_before_scoring():
    with pytest.raises(PreviewError, match="--remote-url: endpoint must be an http"):
        run_preview(SAMPLES, remote_url="localhost:8000")
