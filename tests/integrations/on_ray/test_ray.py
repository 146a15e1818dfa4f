"""The Ray executor on a real local Ray: same results as the process pool, time limits enforced
on the Ray side, dead workers retried or reported, by-value rewards, runs that resume."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from reward_kit import EvaluateResult, Message, reward_function
from reward_kit.integrations.ray import RayPool
from reward_kit.integrations.trl import create_trl_adapter
from reward_kit.pipeline import run_pipeline
from reward_kit.pipeline.config import ConfigError, validate_config
from reward_kit.scoring import Scorer, score_batch

ray = pytest.importorskip("ray")


def conversation(answer: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": answer}]


@reward_function
def by_answer(messages: list[Message], ground_truth: Any = None, **kwargs: Any) -> EvaluateResult:
    answer = messages[-1].content
    if answer == "raise":
        raise ZeroDivisionError("division by zero in the reward")
    if answer == "hang":
        time.sleep(3600)
    if answer == "bad-return":
        return "not a result"  # type: ignore[return-value]
    return EvaluateResult(
        score=float(answer == ground_truth),
        reason=f"{answer} vs {ground_truth}",
        metrics={"length": {"score": len(answer or "") / 10, "reason": "chars / 10"}},
    )


@reward_function
def dies_once(messages: list[Message], ground_truth: Any = None, **kwargs: Any) -> EvaluateResult:
    """Kills its own Ray worker the first time it sees ``marker`` missing (then creates it)."""
    marker = Path(kwargs["marker"])
    if not marker.exists() or kwargs.get("always"):
        marker.touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return EvaluateResult(score=1.0, reason="survived")


@reward_function
def sleepy(messages: list[Message], **kwargs: Any) -> EvaluateResult:
    time.sleep(0.6)
    return EvaluateResult(score=1.0)


SAMPLES = [
    {"messages": conversation(answer), "ground_truth": "4"}
    for answer in ["4", "5", "raise", "bad-return", "4", "four", "", "4"]
]


def test_same_results_as_the_process_pool(local_ray) -> None:
    on_ray = score_batch(by_answer, SAMPLES, executor="ray", timeout=30)
    in_processes = score_batch(by_answer, SAMPLES, workers=2, timeout=30)
    assert [r.model_dump() for r in on_ray] == [r.model_dump() for r in in_processes]
    assert [r.score for r in on_ray[:2]] == [1.0, 0.0]
    assert (on_ray[2].error or "").startswith("ZeroDivisionError: division by zero in the reward")
    assert not on_ray[3].is_score_valid


def test_a_call_past_its_limit_is_cancelled_and_reported_as_a_timeout(local_ray) -> None:
    # Three hanging calls on two CPUs: unless each is killed, the last samples never run.
    samples = [{"messages": conversation(a), "ground_truth": "4"} for a in ["hang"] * 3 + ["4"]]
    results = score_batch(by_answer, samples, executor="ray", timeout=1.5)
    for result in results[:3]:
        assert not result.is_score_valid and result.score == 0.0
        assert "timed out after 1.5 s" in (result.error or "")
    assert results[3].is_score_valid and results[3].score == 1.0


def test_the_time_limit_counts_from_the_start_not_the_queue(local_ray) -> None:
    scorer = Scorer(sleepy, pool=RayPool(max_in_flight=8), timeout=1.5)
    # 6 calls of ~0.6 s on 2 CPUs take ~1.8 s in all: each is within its own 1.5 s limit.
    scored = asyncio.run(scorer.score_many([{"messages": conversation("4")}] * 6))
    assert all(r.is_score_valid for r in scored), [r.error for r in scored]


def test_a_killed_ray_worker_is_retried(local_ray, tmp_path: Path) -> None:
    marker = tmp_path / "died-once"
    [result] = score_batch(
        dies_once, [{"messages": conversation("4"), "marker": str(marker)}], executor="ray"
    )
    assert marker.exists()  # the first attempt died
    assert result.is_score_valid and result.reason == "survived"


def test_a_worker_that_dies_every_time_is_reported_as_crashed(local_ray, tmp_path: Path) -> None:
    sample = {"messages": conversation("4"), "marker": str(tmp_path / "m"), "always": True}
    [result] = score_batch(dies_once, [sample], executor="ray")
    assert not result.is_score_valid and result.score == 0.0
    assert "Ray worker running the call died (tried 2 times)" in (result.error or "")


def test_a_closure_reward_travels_by_value(local_ray) -> None:
    expected = {"value": "4"}  # a local: the reward can only be sent by value

    @reward_function
    def closure(messages: list[Message], **kwargs: Any) -> EvaluateResult:
        return EvaluateResult(score=float(messages[-1].content == expected["value"]))

    results = score_batch(closure, SAMPLES[:2], executor="ray")
    assert [r.score for r in results] == [1.0, 0.0]


def test_an_unpicklable_reward_says_what_cannot_be_sent(local_ray) -> None:
    lock = threading.Lock()

    def holds_a_lock(messages: list[Any], **kwargs: Any) -> dict[str, float]:
        with lock:
            return {"score": 1.0}

    [result] = score_batch(holds_a_lock, SAMPLES[:1], executor="ray")
    assert not result.is_score_valid
    assert "'lock'" in (result.error or "")


@pytest.mark.slow
def test_a_script_reward_in_main_runs_on_an_existing_ray(local_ray, tmp_path: Path) -> None:
    script = tmp_path / "score.py"  # no __main__ guard: Ray workers must not run it again
    script.write_text(
        textwrap.dedent(
            """
            import sys
            from reward_kit import EvaluateResult, reward_function
            from reward_kit.scoring import score_batch

            print("script ran", file=sys.stderr)

            @reward_function
            def exact(messages, ground_truth=None, **kwargs):
                return EvaluateResult(score=float(messages[-1].content == ground_truth))

            samples = [
                {"messages": [{"role": "assistant", "content": a}], "ground_truth": "4"}
                for a in ("4", "5")
            ]
            print([r.score for r in score_batch(exact, samples, executor="ray")])
            """
        )
    )
    env = {**os.environ, "RAY_ADDRESS": ray.get_runtime_context().gcs_address}
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=180, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[1.0, 0.0]"
    assert done.stderr.count("script ran") == 1


def test_the_trl_adapter_scores_on_ray(local_ray) -> None:
    adapter = create_trl_adapter(by_answer, executor="ray", timeout=30)
    scores = adapter(prompts=["2+2?", "2+2?"], completions=["4", "raise"], ground_truth=["4", "4"])
    assert scores == [1.0, None]


def _run_config(data: Path, **scoring: Any) -> dict[str, Any]:
    return {
        "dataset": {"source_type": "jsonl", "path_or_name": str(data)},
        "generation": {"enabled": False},
        "reward": {"function_path": "tests.integrations.on_ray.test_ray:by_answer"},
        "evaluation_params": {"timeout": 30},
        "scoring": scoring,
        "output": {"progress": "none"},
    }


def test_a_pipeline_run_on_ray_matches_processes_and_resumes(local_ray, tmp_path: Path) -> None:
    data = tmp_path / "data.jsonl"
    rows = [{"id": f"s{i}", **sample} for i, sample in enumerate(SAMPLES)]
    data.write_text("".join(json.dumps(row) + "\n" for row in rows))
    on_ray = _run_config(data, executor="ray", max_in_flight=4)
    partial = run_pipeline({**on_ray, "evaluation_params": {"limit_samples": 3}}, tmp_path / "ray")
    assert partial.summary["this_invocation"]["rows_written"] == 3
    resumed = run_pipeline(on_ray, tmp_path / "ray")
    assert resumed.summary["this_invocation"]["rows_written"] == len(SAMPLES) - 3
    local = run_pipeline(_run_config(data), tmp_path / "processes")

    def lines(path: Path) -> list[dict[str, Any]]:
        return [json.loads(line) for line in path.read_text().splitlines()]

    assert lines(resumed.results_path) == lines(local.results_path)
    assert resumed.summary["samples"] == local.summary["samples"] == len(SAMPLES)


def test_scoring_keys_are_checked() -> None:
    base = _run_config(Path("d.jsonl"))
    with pytest.raises(ConfigError, match="scoring.executor must be processes or ray"):
        validate_config({**base, "scoring": {"executor": "dask"}})
    with pytest.raises(ConfigError, match="num_cpus_per_task must be positive"):
        validate_config({**base, "scoring": {"num_cpus_per_task": 0}})
    config = validate_config({**base, "scoring": {"executor": "ray", "ray_address": "auto"}})
    assert config.scoring.ray_address == "auto"
    with pytest.raises(ValueError, match="executor must be one of processes, ray"):
        Scorer(by_answer, executor="threads")
