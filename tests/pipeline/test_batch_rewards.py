"""Batch-mode rewards in a real run: called once per group of prompts with all their variants."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable

from reward_kit.pipeline import run_pipeline
from tests._servers.openai_stub import RecordedRequest
from tests.pipeline.conftest import REWARDS, read_jsonl, sum_problems, write_jsonl

GROUP_RELATIVE = {"function_path": f"{REWARDS}:above_group_mean"}


def answers_one_two_three() -> Callable[[RecordedRequest], str]:
    """A responder answering 1, 2, 3, 1... to each prompt, in the order its requests arrive."""
    counters: dict[str, itertools.count[int]] = defaultdict(lambda: itertools.count())

    def answer(request: RecordedRequest) -> str:
        return f"The answer is {next(counters[request.last_user_text]) % 3 + 1}."

    return answer


def test_every_variant_of_a_prompt_is_scored_in_one_call(make_config, openai_stub, tmp_path):
    openai_stub.responder = answers_one_two_three()
    config = make_config(sum_problems(4), reward=GROUP_RELATIVE, generation={"n": 3})

    result = run_pipeline(config, tmp_path / "run")

    rows = read_jsonl(result.results_path)
    assert len(rows) == 12
    for sample_id, truth in [(f"q{i}", str(2 * i + 1)) for i in range(4)]:
        group = [row for row in rows if row["id"] == sample_id]
        assert sorted(row["variant"] for row in group) == [0, 1, 2]
        assert sorted(row["score"] for row in group) == [-1.0, 0.0, 1.0]  # 1, 2, 3 vs mean 2
        assert {row["reason"] for row in group} == {f"group ['{truth}'] of 3"}
    assert result.summary["errors"] == {"generation": 0, "scoring": 0}


def test_batch_prompts_puts_several_whole_prompts_in_one_call(make_config, openai_stub, tmp_path):
    openai_stub.responder = answers_one_two_three()
    config = make_config(
        sum_problems(5),
        reward=GROUP_RELATIVE,
        generation={"n": 2},
        evaluation_params={"batch_prompts": 2},
    )

    result = run_pipeline(config, tmp_path / "run")

    reasons = {row["id"]: row["reason"] for row in read_jsonl(result.results_path)}
    assert reasons["q0"] == reasons["q1"] == "group ['1', '3'] of 4"
    assert reasons["q2"] == reasons["q3"] == "group ['5', '7'] of 4"
    assert reasons["q4"] == "group ['9'] of 2"


def test_a_failed_call_makes_each_sample_of_its_group_invalid(make_config, openai_stub, tmp_path):
    openai_stub.responder = answers_one_two_three()
    rows = sum_problems(3)
    rows[1]["ground_truth"] = "fail"
    config = make_config(rows, reward=GROUP_RELATIVE, generation={"n": 2})

    result = run_pipeline(config, tmp_path / "run")

    written = read_jsonl(result.results_path)
    failed = [row for row in written if row["id"] == "q1"]
    assert len(failed) == 2
    assert all(row["is_score_valid"] is False for row in failed)
    assert all("cannot score this group" in row["error"] for row in failed)
    assert all(row["is_score_valid"] for row in written if row["id"] != "q1")
    assert result.summary["errors"] == {"generation": 0, "scoring": 2}
    assert result.summary["score"]["count"] == 4


def test_a_resumed_group_is_scored_whole_but_only_missing_rows_are_written(
    make_config, openai_stub, tmp_path
):
    openai_stub.responder = answers_one_two_three()
    config = make_config(sum_problems(2), reward=GROUP_RELATIVE, generation={"n": 3})
    first = run_pipeline(config, tmp_path / "run")
    rows = read_jsonl(first.results_path)
    lost = next(row for row in rows if row["id"] == "q1" and row["variant"] == 2)
    write_jsonl(first.results_path, [row for row in rows if row is not lost])  # killed early

    second = run_pipeline(config, tmp_path / "run")

    resumed = read_jsonl(second.results_path)
    assert len(resumed) == 6 and second.summary["this_invocation"]["rows_written"] == 1
    redone = resumed[-1]
    assert (redone["id"], redone["variant"]) == ("q1", 2)
    assert redone["generation"]["cached"] is True
    assert redone["reason"] == "group ['3'] of 3"  # scored against the two rows kept
    assert redone["score"] == lost["score"]
