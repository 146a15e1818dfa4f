"""preview's report: one row per sample, several rewards combined as run and serve combine them."""

from __future__ import annotations

from typing import Any

from reward_kit.report._preview import preview_result_rows

CONVERSATION = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]


def _output(sample_id: str, results: dict[str, Any]) -> dict[str, Any]:
    return {"id": sample_id, "messages": CONVERSATION, "ground_truth": "a", "results": results}


def _valid(score: float) -> dict[str, Any]:
    metric = {"score": score, "reason": "m", "is_score_valid": True, "success": None}
    return {"score": score, "reason": "ok", "is_score_valid": True, "metrics": {"part": metric}}


def test_several_rewards_become_one_row_with_each_reward_as_a_metric() -> None:
    invalid = {"score": None, "is_score_valid": False, "error": "timed out", "metrics": {}}
    rows = list(
        preview_result_rows(
            [
                _output("both", {"wc": _valid(1.0), "len": _valid(0.5)}),
                _output("one-failed", {"wc": _valid(1.0), "len": invalid}),
            ]
        )
    )
    assert [row["id"] for row in rows] == ["both", "one-failed"]
    assert all(row["variant"] == 0 for row in rows)
    assert rows[0]["score"] == 0.75 and rows[0]["is_score_valid"] is True
    assert (
        rows[0]["metrics"]["wc"]["score"] == 1.0 and rows[0]["metrics"]["len.part"]["score"] == 0.5
    )
    assert rows[1]["score"] is None and rows[1]["is_score_valid"] is False
    assert "len: timed out" in rows[1]["error"]


def test_one_reward_keeps_its_own_result() -> None:
    (row,) = preview_result_rows([_output("s", {"wc": _valid(0.25)})])
    assert row["score"] == 0.25 and set(row["metrics"]) == {"part"}
