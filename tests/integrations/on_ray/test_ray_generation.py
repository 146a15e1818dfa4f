"""``generation.shards=N`` on a real local Ray and the OpenAI stand-in: the same rows as one
client, every prompt requested once, reruns served from the driver's cache, killed runs resumed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from reward_kit.pipeline import run_pipeline
from reward_kit.pipeline._shards import concurrency_shares
from reward_kit.pipeline.config import ConfigError, validate_config
from tests._servers.openai_stub import OpenAIStub, error, openai_stub
from tests._support.pipeline import read_jsonl, solve, sum_problems, write_jsonl

ray = pytest.importorskip("ray")

__all__ = ["openai_stub"]


def _config(tmp_path: Path, stub: OpenAIStub, count: int, **generation: Any) -> dict[str, Any]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    return {
        "dataset": {
            "source_type": "jsonl",
            "path_or_name": str(write_jsonl(tmp_path / "data.jsonl", sum_problems(count))),
        },
        "generation": {
            "model_name": "stub-model",
            "api_base": stub.url,
            "api_key_env": None,
            "cache": {"path": str(tmp_path / "cache.sqlite")},
            "api_params": {"max_retries": 2, "backoff_base": 0.01, "timeout": 10.0},
            **generation,
        },
        "reward": {"function_path": "tests.pipeline._rewards:final_number_matches"},
        "evaluation_params": {"workers": 0},
        "output": {"progress": "none"},
    }


def _without_timing(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        row["generation"].pop("latency_s")
    return rows


def test_a_sharded_run_matches_one_client_and_reruns_from_the_cache(
    local_ray, openai_stub, tmp_path: Path
) -> None:
    openai_stub.responder = solve
    single = run_pipeline(_config(tmp_path / "a", openai_stub, 8), tmp_path / "a" / "run")
    assert len(openai_stub.chat_requests) == 8
    openai_stub.reset()
    openai_stub.responder = solve

    sharded_config = _config(tmp_path / "b", openai_stub, 8, shards=2)
    sharded = run_pipeline(sharded_config, tmp_path / "b" / "run")

    asked = Counter(request.last_user_text for request in openai_stub.chat_requests)
    assert len(asked) == 8 and set(asked.values()) == {1}  # every prompt, once
    assert openai_stub.connections >= 2  # two actors, two clients
    rows = _without_timing(read_jsonl(sharded.results_path))
    assert rows == _without_timing(read_jsonl(single.results_path))
    assert sharded.summary["this_invocation"]["api_requests"] == 8
    assert sharded.summary["score"] == single.summary["score"]

    openai_stub.reset()
    rerun = run_pipeline(sharded_config, tmp_path / "b" / "rerun")
    assert openai_stub.chat_requests == []
    assert rerun.summary["this_invocation"]["cache_hits"] == 8
    assert all(row["generation"]["cached"] for row in read_jsonl(rerun.results_path))


def test_actors_send_the_key_and_report_refusals_as_generation_errors(
    local_ray, openai_stub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STUB_API_KEY", "sk-sharded")

    def answer(request: Any) -> Any:
        if request.headers.get("authorization") != "Bearer sk-sharded":
            return error(401, "no key")
        return error(422, "bad prompt") if "What is 1 +" in request.last_user_text else None

    openai_stub.responder = lambda request: answer(request) or solve(request)
    config = _config(tmp_path, openai_stub, 3, shards=2, cache={"enabled": False})
    config["generation"]["api_key_env"] = "STUB_API_KEY"
    result = run_pipeline(config, tmp_path / "run")

    by_id = {row["id"]: row for row in read_jsonl(result.results_path)}
    assert "HTTP 422: bad prompt" in by_id["q1"]["error"]
    assert "sk-sharded" not in by_id["q1"]["error"]
    assert by_id["q0"]["is_score_valid"] and by_id["q2"]["is_score_valid"]


_SCRIPT = """
import json, sys
from reward_kit.pipeline import run_pipeline
run_pipeline(json.loads(sys.argv[1]), sys.argv[2])
"""


@pytest.mark.slow
def test_a_killed_sharded_run_resumes(local_ray, tmp_path: Path) -> None:
    with OpenAIStub(latency=0.4, responder=solve).serve_in_thread() as stub:
        config = _config(tmp_path, stub, 12, shards=2, api_params={"max_concurrent_requests": 2})
        config["output"]["sort"] = False
        run_dir = tmp_path / "run"
        env = {**os.environ, "RAY_ADDRESS": ray.get_runtime_context().gcs_address}
        driver = subprocess.Popen(
            [sys.executable, "-c", _SCRIPT, json.dumps(config), str(run_dir)], env=env
        )
        results = run_dir / "results.jsonl"
        try:
            deadline = time.monotonic() + 120
            while not (results.exists() and len(read_jsonl(results)) >= 3):
                assert driver.poll() is None, "the run ended before it could be killed"
                assert time.monotonic() < deadline, "no rows within 120 s"
                time.sleep(0.05)
            driver.send_signal(signal.SIGKILL)
        finally:
            driver.kill()
            driver.wait(30)
        done_before = {row["id"] for row in read_jsonl(results)}
        assert 3 <= len(done_before) < 12
        stub.requests.clear()

        resumed = run_pipeline(config, run_dir)

        rows = read_jsonl(resumed.results_path)
        assert sorted(row["id"] for row in rows) == sorted(f"q{i}" for i in range(12))
        assert resumed.summary["this_invocation"]["rows_written"] == 12 - len(done_before)
        asked = Counter(request.last_user_text for request in stub.chat_requests)
        assert set(asked.values()) <= {1}  # nothing asked twice
        done_prompts = {f"What is {i} + {i + 1}?" for i in range(12) if f"q{i}" in done_before}
        assert not any(prompt in text for text in asked for prompt in done_prompts)


def test_the_shards_key_is_checked() -> None:
    base = {
        "dataset": {"path_or_name": "d.jsonl"},
        "generation": {"model_name": "m"},
        "reward": {"function_path": "math_reward"},
    }
    with pytest.raises(ConfigError, match="generation.shards must be at least 1"):
        validate_config({**base, "generation": {"model_name": "m", "shards": 0}})
    too_many = {"model_name": "m", "shards": 5, "api_params": {"max_concurrent_requests": 4}}
    with pytest.raises(ConfigError, match=r"generation.shards \(5\) must not exceed"):
        validate_config({**base, "generation": too_many})
    assert validate_config({**base, "generation": {"model_name": "m", "shards": 4}})
    assert concurrency_shares(32, 3) == [11, 11, 10]
