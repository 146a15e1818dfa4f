"""Tests of reward_kit/_combine.py, and that serve, run, preview and TRL combine rewards alike."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from reward_kit import EvaluateResult, MetricResult, reward_function
from reward_kit._combine import combine_results, metric_key, require_unique_names, reward_name
from reward_kit.errors import DuplicateRewardNameError
from reward_kit.integrations.trl import combine as trl_combine
from reward_kit.pipeline._rewards import RewardSet
from reward_kit.pipeline.config import RewardSpec, RunConfig
from reward_kit.pipeline.preview import run_preview
from reward_kit.server._evaluation import EvaluatorRuntime

HERE = "tests.test_combine"


@reward_function
async def exact(messages: list[Any], ground_truth: Any = None, **kwargs: Any) -> EvaluateResult:
    """1 when the answer is the ground truth; invalid without a ground truth."""
    if ground_truth is None:
        return EvaluateResult(score=0.0, is_score_valid=False, error="no ground truth")
    right = float(messages[-1]["content"] == ground_truth)
    return EvaluateResult(score=right, metrics={"match": MetricResult(score=right)})


@reward_function
async def short(messages: list[Any], **kwargs: Any) -> EvaluateResult:
    """1 for answers of at most 3 characters, else 0.5."""
    score = 1.0 if len(messages[-1]["content"]) <= 3 else 0.5
    return EvaluateResult(score=score, metrics={"length": MetricResult(score=score)})


def _sample(answer: str, ground_truth: str | None) -> dict[str, Any]:
    messages = [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": answer}]
    return {"messages": messages, "ground_truth": ground_truth}


def _served(sample: dict[str, Any]) -> EvaluateResult:
    runtime = EvaluatorRuntime({"exact": exact, "short": short})
    return asyncio.run(runtime.evaluate_sample(sample))


def _run(sample: dict[str, Any], weights: tuple[float, float] = (1.0, 1.0)) -> EvaluateResult:
    specs = [
        RewardSpec(function_path=f"{HERE}:exact", weight=weights[0]),
        RewardSpec(function_path=f"{HERE}:short", weight=weights[1]),
    ]
    return asyncio.run(RewardSet(RunConfig(rewards=specs), None).score(sample))


def test_reward_name_is_the_registered_name_then_dunder_name_then_fallback() -> None:
    assert reward_name(exact) == "exact"
    assert reward_name(lambda: 0) == "<lambda>"
    assert reward_name(object(), "ref.py:fn") == "ref.py:fn"
    assert reward_name(object()) == "object"


def test_combined_result_is_the_weighted_mean_with_named_metrics() -> None:
    parts = {
        "a": EvaluateResult(score=1.0),
        "b": EvaluateResult(score=0.0, metrics={"m": MetricResult(score=0.5)}),
    }
    combined = combine_results(parts, {"a": 3.0})
    assert combined.score == 0.75 and combined.is_score_valid
    assert set(combined.metrics) == {"a", "b", metric_key("b", "m")} == {"a", "b", "b.m"}
    assert combine_results({"a": parts["a"]}) is parts["a"]
    with pytest.raises(ValueError, match="positive"):
        combine_results(parts, {"a": 0.0, "b": 0.0})


def test_one_invalid_part_makes_the_whole_invalid() -> None:
    parts = {"a": EvaluateResult(score=1.0), "b": EvaluateResult(score=0.0, error="boom")}
    parts["b"] = parts["b"].model_copy(update={"is_score_valid": False})
    combined = combine_results(parts)
    assert not combined.is_score_valid and combined.error == "b: boom"
    assert combined.metrics["a"].is_score_valid and not combined.metrics["b"].is_score_valid


def test_a_name_clash_is_an_error() -> None:
    with pytest.raises(DuplicateRewardNameError, match="two rewards are named 'a'.*rename"):
        require_unique_names(["a", "b", "a"], "rename")


@pytest.mark.parametrize(
    "sample", [_sample("4", "4"), _sample("four", "4"), _sample("4", None)], ids=str
)
def test_serve_and_run_combine_the_same_way(sample: dict[str, Any]) -> None:
    served, run = _served(sample), _run(sample)
    assert served.model_dump() == run.model_dump()
    assert served.is_score_valid == (sample["ground_truth"] is not None)


def test_run_weights_follow_the_same_rule() -> None:
    assert _run(_sample("four", "4"), (1.0, 3.0)).score == pytest.approx((0 + 3 * 0.5) / 4)


def test_preview_names_metrics_as_the_combined_result_does() -> None:
    sample = _sample("4", "4")
    summary = run_preview([sample], metrics={"exact": exact, "short": short}).summary()
    combined = _served(sample)
    assert set(summary["metrics"]) == set(combined.metrics)


def _trl(samples: list[dict[str, Any]], weights: tuple[float, float]) -> list[float | None]:
    """The total reward TRL's GRPOTrainer computes from ``combine``'s functions and weights."""
    funcs, scaled = trl_combine([(exact, weights[0]), (short, weights[1])])
    prompts = [sample["messages"][:-1] for sample in samples]
    completions = [sample["messages"][-1:] for sample in samples]
    truths = [sample["ground_truth"] for sample in samples]
    columns = [func(prompts, completions, ground_truth=truths) for func in funcs]
    totals: list[float | None] = []
    for values in zip(*columns, strict=True):
        # TRL: a completion that every reward leaves out (None) is not rewarded at all
        numbers = [(w, v) for w, v in zip(scaled, values, strict=True) if v is not None]
        totals.append(sum(w * v for w, v in numbers) if numbers else None)
    return totals


def test_trl_rewards_a_combined_sample_as_run_scores_it() -> None:
    samples = [_sample("4", "4"), _sample("four", "4"), _sample("4", None)]
    for weights in ((1.0, 1.0), (1.0, 3.0)):
        run = [_run(sample, weights) for sample in samples]
        expected = [result.score if result.is_score_valid else None for result in run]
        assert _trl(samples, weights) == pytest.approx(expected)
    assert expected[2] is None


def test_names_and_clashes_are_the_same_in_run_serve_and_trl() -> None:
    funcs, weights = trl_combine([exact, (short, 2.0)])
    assert [func.__name__ for func in funcs] == RewardSet(
        RunConfig(rewards=[RewardSpec(function_path=f"{HERE}:{n}") for n in ("exact", "short")]),
        None,
    ).names
    assert weights == pytest.approx([1 / 3, 2 / 3])
    with pytest.raises(DuplicateRewardNameError):
        trl_combine([exact, exact])
    twice = [RewardSpec(function_path=f"{HERE}:exact") for _ in range(2)]
    with pytest.raises(DuplicateRewardNameError, match="rewards\\[\\].name"):
        RewardSet(RunConfig(rewards=twice), None)
