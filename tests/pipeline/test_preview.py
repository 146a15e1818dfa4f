"""Preview is the pipeline without generation: its samples, rewards, rows and summary."""

from __future__ import annotations

import textwrap

import pytest

from reward_kit.errors import RewardKitError, RewardNotFoundError
from reward_kit.pipeline.datasets import DatasetError
from reward_kit.pipeline.preview import (
    HuggingFaceSource,
    PreviewError,
    load_metrics_folders,
    load_preview_samples,
    run_preview,
)
from reward_kit.pipeline.runner import run_pipeline
from tests._servers.evaluator_stub import Reply, running_evaluator_stub
from tests.pipeline._rewards import final_number_matches, short_answer
from tests.pipeline.conftest import REWARDS, read_jsonl, write_jsonl

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

    assert [row["id"] for row in result.rows] == ["right", "wrong", "empty"]
    assert all(row["score"] is None and not row["is_score_valid"] for row in result.rows)
    right = result.rows[0]["metrics"]
    assert right["exact"]["score"] == 1.0 and right["broken"]["score"] is None
    assert "this metric is broken" in result.rows[0]["error"]
    assert "neither 'messages' nor 'user_query'" in result.rows[2]["error"]
    exact = result.results["exact"]
    assert [r.score for r in exact[:2]] == [1.0, 0.0]
    assert exact[2].is_score_valid is False and "neither 'messages'" in exact[2].error
    assert all(not r.is_score_valid for r in result.results["broken"])
    summary = result.summary()
    assert summary["rows"] == 3 and summary["errors"] == {"generation": 0, "scoring": 3}
    assert summary["metrics"]["exact"]["count"] == 2 and summary["metrics"]["exact"]["mean"] == 0.5
    assert "broken" not in summary["metrics"]
    assert [reward["name"] for reward in summary["rewards"]] == ["exact", "broken"]


def test_remote_evaluator_uses_the_wire_format(tmp_path):
    with running_evaluator_stub() as stub:
        stub.script.extend([Reply(status=400, body={"detail": "bad sample"})])
        result = run_preview(SAMPLES[:2], remote_url=stub.url)
    scores = result.results["remote"]
    assert sorted(r.is_score_valid for r in scores) == [False, True]
    assert any("bad sample" in (r.error or "") for r in scores)
    assert {"messages", "ground_truth"} <= set(stub.requests[0])
    assert result.rewards[0]["reference"] == stub.url


def test_samples_from_a_run_directory_and_limits(tmp_path):
    write_jsonl(tmp_path / "preview_input_output_pairs.jsonl", SAMPLES)
    assert len(load_preview_samples(tmp_path)) == 3
    assert (
        len(load_preview_samples(tmp_path / "preview_input_output_pairs.jsonl", max_samples=2)) == 2
    )


def test_bad_inputs_say_what_and_where(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"messages": []}\n[1, 2]\n')
    with pytest.raises(PreviewError, match="bad.jsonl, line 2: not a JSON object"):
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


ROWS = [
    {
        "id": f"q{i}",
        "messages": [
            {"role": "user", "content": f"What is {i} + {i}?"},
            {"role": "assistant", "content": f"It is {2 * i + i % 2}" + " and more" * (i % 3)},
        ],
        "ground_truth": str(2 * i),
        "max_words": 3,
    }
    for i in range(5)
]


def _run(tmp_path, rewards):
    """Rows and summary of ``reward-kit run`` without generation over ``ROWS``."""
    data = write_jsonl(tmp_path / "data.jsonl", ROWS)
    config = {
        "dataset": {"source_type": "jsonl", "path_or_name": str(data)},
        "generation": {"enabled": False},
        "rewards": [{"function_path": f"{REWARDS}:{name}"} for name in rewards],
        "output": {"progress": "none"},
    }
    result = run_pipeline(config, tmp_path / "run")
    return read_jsonl(result.results_path), result.summary


_RUN_ONLY = {"this_invocation", "run_dir", "model", "skipped_rows"}


@pytest.mark.parametrize(
    "rewards", [["final_number_matches"], ["final_number_matches", "short_answer"]], ids=len
)
def test_preview_rows_and_summary_are_those_of_a_run_without_generation(tmp_path, rewards):
    functions = {"final_number_matches": final_number_matches, "short_answer": short_answer}
    run_rows, run_summary = _run(tmp_path, rewards)
    write_jsonl(tmp_path / "samples.jsonl", ROWS)

    result = run_preview(
        load_preview_samples(tmp_path / "samples.jsonl"),
        metrics={name: functions[name] for name in rewards},
    )

    assert result.rows == run_rows
    assert result.summary() == {k: v for k, v in run_summary.items() if k not in _RUN_ONLY}
    # a run directory is a preview source too: its pairs give the same rows again
    again = run_preview(load_preview_samples(tmp_path / "run"), metrics=functions)
    assert [row["id"] for row in again.rows] == [row["id"] for row in run_rows]


def test_a_conversation_without_response_follows_runs_rule_and_is_an_error_row(tmp_path):
    rows = [ROWS[0], {**ROWS[1], "messages": ROWS[1]["messages"][:1]}]
    data = write_jsonl(tmp_path / "data.jsonl", rows)
    config = {
        "dataset": {"source_type": "jsonl", "path_or_name": str(data)},
        "generation": {"enabled": False},
        "reward": {"function_path": f"{REWARDS}:final_number_matches"},
        "output": {"progress": "none"},
    }
    with pytest.raises(DatasetError) as refused:
        run_pipeline(config, tmp_path / "run")

    result = run_preview(
        load_preview_samples(data), metrics={"final_number_matches": final_number_matches}
    )

    scored, unanswered = result.rows
    assert scored["score"] == 1.0
    assert unanswered["id"] == "q1" and unanswered["messages"] == rows[1]["messages"]
    assert unanswered["score"] is None and unanswered["is_score_valid"] is False
    assert unanswered["ground_truth"] == "2"
    assert unanswered["error"] in str(refused.value)  # the same row, column and reason
    assert "does not end with an assistant response" in unanswered["error"]


def _huggingface_dataset(tmp_path, rows):
    """A local dataset folder written by ``datasets`` (no hub)."""
    import datasets

    folder = tmp_path / "hf"
    folder.mkdir()
    datasets.Dataset.from_list(rows).to_parquet(str(folder / "train.parquet"))
    return folder


def test_huggingface_columns_go_through_the_pipelines_column_mapping(tmp_path):
    folder = _huggingface_dataset(
        tmp_path,
        [
            {"question": "What is 2 + 2?", "answer_text": "It is 4", "expected": "4"},
            {"question": "What is 1 + 1?", "answer_text": None, "expected": "2"},
        ],
    )
    source = HuggingFaceSource(
        str(folder),
        prompt_key="question",
        response_key="answer_text",
        key_map={"expected": "ground_truth"},
    )
    assert source.dataset_config().column_mapping == {
        "user_query": "question",
        "response": "answer_text",
        "ground_truth": "expected",
    }

    result = run_preview(
        load_preview_samples(huggingface=source),
        metrics={"final_number_matches": final_number_matches},
    )

    answered, unanswered = result.rows
    assert answered["messages"] == [
        {"role": "user", "content": "What is 2 + 2?"},
        {"role": "assistant", "content": "It is 4"},
    ]
    assert answered["ground_truth"] == "4" and answered["score"] == 1.0
    assert unanswered["score"] is None and unanswered["ground_truth"] == "2"
    assert "does not end with an assistant response" in unanswered["error"]


def test_a_missing_huggingface_column_stops_preview_naming_it(tmp_path):
    folder = _huggingface_dataset(tmp_path, [{"prompt": "q", "answer": "a"}])
    with pytest.raises(PreviewError, match="row 1, column 'response': mapped column is missing"):
        load_preview_samples(huggingface=HuggingFaceSource(str(folder)))
    source = HuggingFaceSource(str(folder), prompt_key="question", response_key="answer")
    with pytest.raises(PreviewError, match="row 1, column 'question': mapped column is missing"):
        load_preview_samples(huggingface=source)
