"""The whole pipeline against a real OpenAI-compatible HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import time
from collections import Counter
from pathlib import Path

import pytest

from reward_kit.pipeline import DatasetError, GenerationAborted, run_pipeline
from tests._servers.openai_stub import (
    completion,
    error,
    hanging,
    malformed,
    rate_limited,
    server_error,
)
from tests.pipeline.conftest import REWARDS, read_jsonl, solve, sum_problems


def test_generates_scores_and_writes_every_output(make_config, openai_stub, tmp_path):
    openai_stub.responder = solve
    config = make_config(sum_problems(6), system_prompt="Answer briefly.")

    result = run_pipeline(config, tmp_path / "run")

    rows = read_jsonl(result.results_path)
    assert sorted(row["id"] for row in rows) == [f"q{i}" for i in range(6)]
    by_id = {row["id"]: row for row in rows}
    assert by_id["q0"]["score"] == 1.0 and by_id["q1"]["score"] == 0.0
    assert by_id["q2"]["messages"] == [
        {"role": "system", "content": "Answer briefly."},
        {"role": "user", "content": "What is 2 + 3?"},
        {"role": "assistant", "content": "The answer is 5."},
    ]
    generation = by_id["q2"]["generation"]
    assert generation["model"] == "stub-model" and generation["cached"] is False
    assert generation["usage"]["prompt_tokens"] == 5 and generation["error"] is None
    assert by_id["q2"]["metrics"]["accuracy"]["score"] == 1.0
    sent = openai_stub.chat_requests[0].json
    assert sent["model"] == "stub-model" and sent["temperature"] == 0.0
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["score"]["count"] == 6 and summary["score"]["mean"] == pytest.approx(0.5)
    assert summary["score"]["stderr"] == pytest.approx((0.3 / 6) ** 0.5)
    assert summary["errors"] == {"generation": 0, "scoring": 0}
    assert summary["token_usage"]["prompt_tokens"] == 30
    assert summary["metrics"]["accuracy"]["mean"] == pytest.approx(0.5)
    pairs = read_jsonl(tmp_path / "run" / "preview_input_output_pairs.jsonl")
    assert {pair["id"]: pair["ground_truth"] for pair in pairs}["q3"] == "7"
    assert set(pairs[0]) == {"id", "messages", "ground_truth"}
    assert "model_name: stub-model" in (tmp_path / "run" / "config.yaml").read_text()


def test_n_variants_give_a_row_each_and_pass_at_k(make_config, openai_stub, tmp_path):
    answers = iter(["The answer is 1.", "The answer is 2.", "The answer is 1."] * 10)
    openai_stub.responder = lambda request: next(answers)
    rows = [{"id": "a", "user_query": "What is 0 + 1?", "ground_truth": "1"}]
    config = make_config(rows, generation={"n": 3, "temperature": 0.8})

    result = run_pipeline(config, tmp_path / "run")

    written = read_jsonl(result.results_path)
    assert sorted(row["variant"] for row in written) == [0, 1, 2]
    assert sorted(row["score"] for row in written) == [0.0, 1.0, 1.0]
    pass_at_k = result.summary["pass_at_k"]
    assert pass_at_k["pass@1"]["value"] == pytest.approx(2 / 3)
    assert pass_at_k["pass@2"]["value"] == pytest.approx(1.0)
    assert pass_at_k["pass@3"] == {"value": 1.0, "samples": 1}
    assert len(openai_stub.chat_requests) == 3


def test_tools_are_sent_and_tool_calls_scored(make_config, openai_stub, tmp_path):
    tools = [
        {"type": "function", "function": {"name": name, "parameters": {"type": "object"}}}
        for name in ("get_weather", "get_time")
    ]
    call = {"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}
    openai_stub.responder = lambda request: completion(None, tool_calls=[call])
    rows = [
        {
            "id": "w",
            "user_query": "Weather in Paris?",
            "ground_truth": "get_weather",
            "tools": tools,
        },
        {"id": "t", "user_query": "Time in Paris?", "ground_truth": "get_time", "tools": tools},
    ]
    config = make_config(
        rows,
        reward={"function_path": f"{REWARDS}:called_the_right_tool"},
        generation={"tool_choice": "auto"},
    )

    result = run_pipeline(config, tmp_path / "run")

    assert all(request.json["tools"] == tools for request in openai_stub.chat_requests)
    assert all(request.json["tool_choice"] == "auto" for request in openai_stub.chat_requests)
    scores = {row["id"]: row["score"] for row in read_jsonl(result.results_path)}
    assert scores == {"w": 1.0, "t": 0.0}


def test_a_rerun_of_the_same_config_makes_no_api_calls(make_config, openai_stub, tmp_path):
    openai_stub.responder = solve
    config = make_config(sum_problems(5), generation={"n": 2})
    run_pipeline(config, tmp_path / "first")
    assert len(openai_stub.chat_requests) == 10

    second = run_pipeline(config, tmp_path / "second")

    assert len(openai_stub.chat_requests) == 10
    rows = read_jsonl(second.results_path)
    assert len(rows) == 10 and all(row["generation"]["cached"] for row in rows)
    assert second.summary["cached_generations"] == 10
    assert second.summary["this_invocation"]["api_requests"] == 0
    assert second.summary["token_usage"]["total_tokens"] == 0
    first_scores = {
        (r["id"], r["variant"]): r["score"]
        for r in read_jsonl(tmp_path / "first" / "results.jsonl")
    }
    assert {(r["id"], r["variant"]): r["score"] for r in rows} == first_scores


def test_a_finished_run_directory_resumes_without_redoing_anything(
    make_config, openai_stub, tmp_path
):
    openai_stub.responder = solve
    config = make_config(sum_problems(4), generation={"cache": {"enabled": False}})
    run_pipeline(config, tmp_path / "run")

    again = run_pipeline(config, tmp_path / "run")

    assert len(openai_stub.chat_requests) == 4
    assert again.summary["this_invocation"]["rows_written"] == 0
    assert again.summary["rows"] == 4


def test_transient_failures_are_retried_until_they_pass(make_config, openai_stub, tmp_path):
    openai_stub.responder = solve
    openai_stub.enqueue(rate_limited(retry_after="0.2"), server_error(503), malformed())
    config = make_config(
        sum_problems(3),
        generation={"api_params": {"max_concurrent_requests": 1, "max_retries": 4}},
    )

    started = time.monotonic()
    result = run_pipeline(config, tmp_path / "run")

    assert time.monotonic() - started >= 0.2  # the Retry-After was honoured
    assert result.summary["errors"] == {"generation": 0, "scoring": 0}
    assert result.summary["this_invocation"]["api_retries"] == 3
    assert len(openai_stub.chat_requests) == 6


def test_generation_and_scoring_failures_are_counted_apart(make_config, openai_stub, tmp_path):
    def answer(request):
        if "What is 1 +" in request.last_user_text:
            return server_error(500)
        if "What is 2 +" in request.last_user_text:
            return hanging()
        return solve(request)

    openai_stub.responder = answer
    rows = [dict(row, sample_number=i) for i, row in enumerate(sum_problems(6))]
    config = make_config(
        rows,
        reward={"function_path": f"{REWARDS}:fails_on_odd_ids"},
        generation={"api_params": {"max_retries": 1, "timeout": 0.5}},
    )

    result = run_pipeline(config, tmp_path / "run")

    by_id = {row["id"]: row for row in read_jsonl(result.results_path)}
    assert by_id["q1"]["score"] is None and "HTTP 500" in by_id["q1"]["error"]
    assert by_id["q2"]["score"] is None and "no response within" in by_id["q2"]["error"]
    assert by_id["q3"]["is_score_valid"] is False and by_id["q3"]["generation"]["error"] is None
    assert "cannot score sample 3" in by_id["q3"]["error"]
    assert result.summary["errors"] == {"generation": 2, "scoring": 2}
    assert result.summary["score"]["count"] == 2
    pairs = read_jsonl(tmp_path / "run" / "preview_input_output_pairs.jsonl")
    assert sorted(pair["id"] for pair in pairs) == ["q0", "q3", "q4", "q5"]


def test_generation_errors_are_retried_when_the_run_resumes(make_config, openai_stub, tmp_path):
    outage = {"on": True}

    def answer(request):
        if outage["on"] and "What is 1 +" in request.last_user_text:
            return server_error(500)
        return solve(request)

    openai_stub.responder = answer
    config = make_config(sum_problems(3), generation={"api_params": {"max_retries": 1}})
    first = run_pipeline(config, tmp_path / "run")
    assert first.summary["errors"]["generation"] == 1
    outage["on"] = False

    second = run_pipeline(config, tmp_path / "run")

    rows = read_jsonl(second.results_path)
    assert Counter(row["id"] for row in rows) == Counter({"q0": 1, "q1": 1, "q2": 1})
    assert second.summary["errors"]["generation"] == 0


def test_a_model_the_server_does_not_know_stops_the_run_with_its_message(
    make_config, openai_stub, tmp_path
):
    openai_stub.responder = lambda request: error(404, "model 'nope' not found")
    config = make_config(sum_problems(50))

    with pytest.raises(GenerationAborted, match="model 'nope' not found"):
        run_pipeline(config, tmp_path / "run")

    assert len(openai_stub.chat_requests) <= 64


def test_an_unreachable_server_fails_fast(make_config, tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = make_config(
        sum_problems(200),
        generation={"api_base": f"http://127.0.0.1:{port}/v1", "api_params": {"max_retries": 1}},
    )

    started = time.monotonic()
    with pytest.raises(GenerationAborted, match=r"first \d+ generations all failed.*ConnectError"):
        run_pipeline(config, tmp_path / "run")

    assert time.monotonic() - started < 10


def test_a_missing_api_key_says_which_variable_to_set(make_config, tmp_path, monkeypatch):
    monkeypatch.delenv("RK_TEST_MISSING_KEY", raising=False)
    config = make_config(sum_problems(2), generation={"api_key_env": "RK_TEST_MISSING_KEY"})

    with pytest.raises(GenerationAborted, match=r"RK_TEST_MISSING_KEY.*generation\.enabled=false"):
        run_pipeline(config, tmp_path / "run")


def test_without_generation_existing_responses_are_scored(make_config, openai_stub, tmp_path):
    rows = [
        {"id": "r", "user_query": "What is 1 + 1?", "response": "It is 2", "ground_truth": "2"},
        {
            "id": "m",
            "messages": [
                {"role": "user", "content": "What is 2 + 2?"},
                {"role": "assistant", "content": "5"},
            ],
            "ground_truth": "4",
        },
    ]
    config = make_config(rows, generation={"enabled": False, "api_key_env": "UNSET_VARIABLE"})

    result = run_pipeline(config, tmp_path / "run")

    assert {row["id"]: row["score"] for row in read_jsonl(result.results_path)} == {
        "r": 1.0,
        "m": 0.0,
    }
    assert openai_stub.chat_requests == []
    assert result.summary["model"] is None


def test_several_rewards_combine_by_weight(make_config, openai_stub, tmp_path):
    openai_stub.responder = solve
    config = make_config(
        sum_problems(2),
        reward={"function_path": None},
        rewards=[
            {"function_path": f"{REWARDS}:final_number_matches", "weight": 3.0},
            {"function_path": f"{REWARDS}:short_answer", "params": {"max_words": 2}},
        ],
    )

    result = run_pipeline(config, tmp_path / "run")

    row = {row["id"]: row for row in read_jsonl(result.results_path)}["q0"]
    assert row["score"] == pytest.approx(0.75)
    assert row["metrics"]["final_number_matches"]["score"] == 1.0
    assert row["metrics"]["short_answer"]["score"] == 0.0
    assert row["metrics"]["final_number_matches.accuracy"]["score"] == 1.0


def test_a_bad_row_names_its_row_and_column(make_config, tmp_path):
    rows = [*sum_problems(2), {"id": "bad", "ground_truth": "1"}]
    with pytest.raises(DatasetError, match=r"row 3, column 'messages'"):
        run_pipeline(make_config(rows), tmp_path / "run")

    answered = [dict(row, response="2") for row in sum_problems(2)]
    rows = [*answered, {"id": "bad", "user_query": 7, "response": "2"}]
    config = make_config(rows, dataset={"on_bad_row": "skip"}, generation={"enabled": False})
    skipped = run_pipeline(config, tmp_path / "skip")
    assert skipped.summary["rows"] == 2
    assert skipped.summary["skipped_rows"] == ["row 3, column 'user_query': expected text, got int"]


def test_scoring_runs_in_worker_processes(make_config, openai_stub, tmp_path):
    openai_stub.responder = solve
    config = make_config(sum_problems(4), evaluation_params={"workers": 2, "timeout": 30})

    result = run_pipeline(config, tmp_path / "run")

    assert result.summary["score"]["mean"] == pytest.approx(0.5)


def test_limit_samples_caps_the_dataset(make_config, openai_stub, tmp_path: Path):
    openai_stub.responder = solve
    config = make_config(sum_problems(10), evaluation_params={"limit_samples": 3})

    result = run_pipeline(config, tmp_path / "run")

    assert result.summary["rows"] == 3 and len(openai_stub.chat_requests) == 3


def test_resuming_with_a_different_model_warns(make_config, openai_stub, tmp_path, caplog):
    openai_stub.responder = solve
    run_pipeline(make_config(sum_problems(2)), tmp_path / "run")
    changed = make_config(
        sum_problems(2),
        generation={"model_name": "other-model", "api_params": {"max_concurrent_requests": 3}},
    )

    with caplog.at_level("WARNING", logger="reward_kit.pipeline._rundir"):
        run_pipeline(changed, tmp_path / "run")

    assert "differs in generation.model_name:" in caplog.text
    assert "max_concurrent_requests" not in caplog.text
