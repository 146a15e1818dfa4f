"""Tests of the scoring engine: parallel, ordered, time-limited, and never losing a sample."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from typing import Any

import pytest

from reward_kit import EvaluateResult, Message, RewardFunction, reward_function
from reward_kit.scoring import Scorer, ascore_batch, score_batch
from tests._servers.evaluator_stub import Reply, running_evaluator_stub


def conversation(answer: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": "q"}, {"role": "assistant", "content": answer}]


@reward_function
def behaves_by_answer(messages: list[Message], ground_truth: Any = None, **kwargs: Any):
    answer = messages[-1].content
    if answer == "hang":
        while True:
            pass
    if answer == "raise":
        raise ZeroDivisionError("division by zero in the reward")
    if answer == "die":
        os._exit(1)
    if answer == "bad-return":
        return "not a result"
    return EvaluateResult(score=float(answer == ground_truth), reason=f"pid {os.getpid()}")


_in_flight = {"now": 0, "peak": 0}


@reward_function
async def async_reward(messages: list[Message], ground_truth: Any = None, **kwargs: Any):
    _in_flight["now"] += 1
    _in_flight["peak"] = max(_in_flight["peak"], _in_flight["now"])
    try:
        if messages[-1].content == "hang":
            await asyncio.sleep(3600)
        await asyncio.sleep(0.05)
        return EvaluateResult(score=float(messages[-1].content == ground_truth))
    finally:
        _in_flight["now"] -= 1


@reward_function(mode="batch")
def batch_reward(
    rollouts_messages: list[list[Message]], ground_truths: list[Any], **kwargs: Any
) -> list[EvaluateResult]:
    weights = kwargs.get("weight", [1.0] * len(rollouts_messages))
    return [
        EvaluateResult(score=float(r[-1].content == g) * w)
        for r, g, w in zip(rollouts_messages, ground_truths, weights, strict=True)
    ]


def plain_reward(messages: list[dict[str, Any]], ground_truth: Any = None, **kwargs: Any) -> Any:
    return {"score": 1.0, "reason": str(sorted(kwargs))}


def test_results_come_back_in_input_order_from_several_workers() -> None:
    samples = [{"messages": conversation(str(i)), "ground_truth": str(i % 3)} for i in range(60)]
    results = score_batch(behaves_by_answer, samples, workers=2)
    assert [r.score for r in results] == [float(i % 3 == i) for i in range(60)]
    assert len({r.reason for r in results}) == 2  # two worker processes did the work


def test_every_kind_of_failure_stays_with_its_sample() -> None:
    answers = ["4", "hang", "raise", "die", "bad-return", "4"]
    samples: list[Any] = [{"messages": conversation(a), "ground_truth": "4"} for a in answers]
    samples += [{"no_messages": True}, "not a dict", {"messages": [{"role": "x"}]}]
    started = time.monotonic()
    results = score_batch(behaves_by_answer, samples, workers=2, timeout=1.0)
    assert time.monotonic() - started < 30
    assert [r.is_score_valid for r in results] == [True, False, False, False, False, True] + [
        False
    ] * 3
    assert [r.score for r in results] == [1.0, 0, 0, 0, 0, 1.0, 0, 0, 0]
    errors = [r.error or "" for r in results]
    assert "timed out after 1 s" in errors[1]
    assert errors[2] == f"ZeroDivisionError: division by zero in the reward ({__file__}, line 29)"
    assert "worker process died" in errors[3]
    assert "returned str 'not a result'" in errors[4]
    assert "sample 6: has no 'messages'" in errors[6]
    assert "sample 7: expected a dict" in errors[7]
    assert "messages[0].role" in errors[8]


def test_async_rewards_run_concurrently_on_the_loop_with_time_limits() -> None:
    samples = [{"messages": conversation("4"), "ground_truth": "4"} for _ in range(40)]
    samples.append({"messages": conversation("hang")})
    _in_flight["peak"] = 0
    started = time.monotonic()
    results = score_batch(async_reward, samples, timeout=1.0)
    assert time.monotonic() - started < 10  # the hanging one is cut off at 1 s
    assert _in_flight["peak"] > 10  # concurrent on one loop, not one after another
    assert all(r.score == 1.0 for r in results[:40])
    assert results[40].error == "timed out after 1 s"


def test_ascore_batch_does_not_block_the_running_loop() -> None:
    async def main() -> tuple[list[EvaluateResult], int]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        task = asyncio.create_task(ticker())
        samples = [{"messages": conversation("hang")}]
        results = await ascore_batch(behaves_by_answer, samples, workers=1, timeout=0.5)
        task.cancel()
        return results, ticks

    results, ticks = asyncio.run(main())
    assert results[0].is_score_valid is False
    assert ticks > 5


def test_batch_mode_rewards_get_every_sample_in_one_call() -> None:
    samples: list[Any] = [
        {"messages": conversation("a"), "ground_truth": "a", "weight": 2.0},
        {"messages": conversation("b"), "ground_truth": "x", "weight": 1.0},
        "broken",
    ]
    results = score_batch(batch_reward, samples, workers=1)
    assert [r.score for r in results] == [2.0, 0.0, 0.0]
    assert [r.is_score_valid for r in results] == [True, True, False]


def test_extra_columns_and_the_legacy_ground_truth_name_arrive_as_kwargs() -> None:
    sample = {"messages": conversation("x"), "ground_truth_for_eval": "x", "level": 3}
    (result,) = score_batch(behaves_by_answer, [sample], workers=1)
    assert result.score == 1.0
    (plain,) = score_batch(plain_reward, [{"messages": conversation("x"), "level": 3}], workers=1)
    assert plain.reason == "['level']"


def test_remote_reward_functions_are_scored_over_http() -> None:
    with running_evaluator_stub() as stub:
        stub.script.append(Reply(status=400, body={"detail": "unknown tool"}))
        remote = RewardFunction(mode="remote", endpoint=stub.url, max_retries=0)
        samples = [{"messages": conversation(str(i)), "ground_truth": "1"} for i in range(3)]
        results = score_batch(remote, samples)
    rejected = [r for r in results if not r.is_score_valid]
    assert len(rejected) == 1
    assert "HTTP 400: unknown tool" in (rejected[0].error or "")
    for index, result in enumerate(results):
        if result.is_score_valid:
            assert result.reason == f"remote saw '{index}'"
            assert result.score == float(index == 1)


def make_threshold_reward(threshold: float) -> Any:
    """A reward factory: the reward is a closure, which workers receive by value."""

    def above(messages: Any, ground_truth: Any = None, **kwargs: Any) -> EvaluateResult:
        return EvaluateResult(score=float(float(messages[-1]["content"]) > threshold))

    return above


def test_closures_are_scored_in_worker_processes() -> None:
    reward = make_threshold_reward(0.5)
    samples = [{"messages": conversation(str(value))} for value in (0.2, 0.7, 0.9)]
    assert [r.score for r in score_batch(reward, samples, workers=2)] == [0.0, 1.0, 1.0]


def test_a_reward_holding_an_unpicklable_object_says_what_and_how_to_avoid_it() -> None:
    lock = threading.Lock()

    def locked_reward(messages: Any, **kwargs: Any) -> EvaluateResult:
        with lock:
            return EvaluateResult(score=1.0)

    samples = [{"messages": conversation(str(i))} for i in range(3)]
    results = score_batch(locked_reward, samples, workers=1)
    for result in results:
        assert not result.is_score_valid
        error = result.error or ""
        assert "locked_reward" in error and "'lock' (a _thread.lock" in error
        assert "workers=0" in error and "inside the reward function" in error
        assert "died" not in error
    in_process = score_batch(locked_reward, samples, workers=0)
    assert [r.score for r in in_process] == [1.0, 1.0, 1.0]


def test_bad_settings_are_refused() -> None:
    with pytest.raises(TypeError, match="callable"):
        Scorer("math_reward")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timeout must be positive"):
        Scorer(behaves_by_answer, timeout=-1)


def test_an_empty_batch_gives_no_results() -> None:
    assert score_batch(behaves_by_answer, [], workers=1) == []


def test_a_reward_error_names_the_file_and_line_that_raised_it() -> None:
    def broken(messages: Any, **kwargs: Any) -> EvaluateResult:
        return EvaluateResult(score=float(int(messages[-1]["content"])))

    line = broken.__code__.co_firstlineno + 1
    for workers in (0, 1):
        (result,) = score_batch(broken, [{"messages": conversation("seven")}], workers=workers)
        assert result.error == (
            f"ValueError: invalid literal for int() with base 10: 'seven' ({__file__}, line {line})"
        )
