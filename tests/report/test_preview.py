"""preview's report is the run report of its rows: one row per sample, each reward a metric."""

from __future__ import annotations

from typing import Any

from reward_kit import EvaluateResult, MetricResult, reward_function
from reward_kit.pipeline.preview import run_preview
from reward_kit.report._data import build_report_data


@reward_function
async def exact(messages: list[Any], ground_truth: Any = None, **kwargs: Any) -> EvaluateResult:
    """1 when the answer is the ground truth; not scored without one."""
    if ground_truth is None:
        return EvaluateResult.invalid("no ground truth")
    right = float(messages[-1]["content"] == ground_truth)
    return EvaluateResult(score=right, metrics={"match": MetricResult(score=right)})


@reward_function
async def short(messages: list[Any], **kwargs: Any) -> EvaluateResult:
    """1 for answers of at most 3 characters, else 0.5."""
    return EvaluateResult(score=1.0 if len(messages[-1]["content"]) <= 3 else 0.5)


def _sample(sample_id: str, answer: str, ground_truth: str | None) -> dict[str, Any]:
    messages = [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": answer}]
    return {"id": sample_id, "messages": messages, "ground_truth": ground_truth}


def test_several_rewards_become_one_row_per_sample_with_each_rewards_score() -> None:
    samples = [_sample("both", "4", "4"), _sample("one-failed", "four", None)]
    result = run_preview(samples, metrics={"exact": exact, "short": short})

    data = build_report_data(result.rows, result.summary(), title="preview")

    table = data.meta["rows"]
    assert [row[0] for row in table] == ["both", "one-failed"]
    assert data.meta["metrics"] == ["exact", "exact.match", "short"]
    both, failed = table
    assert both[2] == 1.0 and both[3] == 1 and both[7] == [1.0, 1.0, 1.0]
    assert failed[2] is None and failed[3] == 0 and failed[7] == [None, None, 0.5]
    assert data.meta["errors"][failed[4]] == "exact: no ground truth"
    assert data.meta["summary"]["rewards"] == result.rewards


def test_one_reward_keeps_its_own_result() -> None:
    result = run_preview([_sample("s", "4", "4")], metrics={"exact": exact})
    data = build_report_data(result.rows, result.summary(), title="preview")
    assert data.meta["metrics"] == ["match"]
    assert data.meta["rows"][0][2] == 1.0
