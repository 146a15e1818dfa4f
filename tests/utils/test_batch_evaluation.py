"""run_batch_evaluation: each request's call in a worker, with a time limit, failing alone."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from reward_kit import EvaluateResult, reward_function
from reward_kit.utils.batch_evaluation import run_batch_evaluation


@reward_function(mode="batch")
def stalls_on_request_b(rollouts_messages: Any, **kwargs: Any) -> list[EvaluateResult]:
    if kwargs.get("request_id_seen") == "b":
        time.sleep(60)
    return [EvaluateResult(score=float(len(r[-1].content))) for r in rollouts_messages]


def test_a_request_past_its_time_limit_fails_alone(tmp_path: Path) -> None:
    entries = [
        {
            "request_id": name,
            "request_id_seen": name,
            "rollouts_messages": [
                [{"role": "assistant", "content": "x" * size}] for size in (1, 2)
            ],
        }
        for name in ("a", "b", "c")
    ]
    batch = tmp_path / "batch.jsonl"
    batch.write_text("".join(json.dumps(entry) + "\n" for entry in entries))
    rows = run_batch_evaluation(
        batch, f"{__name__}:stalls_on_request_b", tmp_path / "out.jsonl", timeout=2, workers=2
    )
    by_request = {(row["request_id"], row["response_id"]): row for row in rows}
    assert [by_request[("a", i)]["score"] for i in (0, 1)] == [1.0, 2.0]
    assert [by_request[("c", i)]["score"] for i in (0, 1)] == [1.0, 2.0]
    for index in (0, 1):
        stalled = by_request[("b", index)]
        assert stalled["is_score_valid"] is False and "timed out after 2 s" in stalled["error"]
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 6
