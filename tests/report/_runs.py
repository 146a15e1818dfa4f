"""Run directories for the report tests, written with the pipeline's own row and summary code."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from reward_kit.models import EvaluateResult, MetricResult
from reward_kit.pipeline.results import result_row
from reward_kit.pipeline.summary import summarize

__all__ = ["chromium_path", "make_run", "sample_rows"]

TIMEOUT_ERROR = "reward timed out after 5 s"


def _conversation(index: int) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "Answer in \\boxed{}."},
        {"role": "user", "content": f"What is {index} + {index}? </script><b>not bold</b>"},
    ]
    if index % 5 == 0:
        messages.append(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": f"call_{index}",
                        "type": "function",
                        "function": {"name": "calculator", "arguments": '{"expr": "1+1"}'},
                    }
                ],
            }
        )
        messages.append({"role": "tool", "tool_call_id": f"call_{index}", "content": "2"})
    messages.append(
        {
            "role": "assistant",
            "content": f"The answer is \\boxed{{{2 * index}}}",
            "reasoning_content": f"thinking about {index}",
        }
    )
    return messages


def sample_rows(count: int = 20, *, wrong: set[int] | None = None) -> list[dict[str, Any]]:
    """``count`` rows: every 7th times out, every 9th failed generation, ``wrong`` scores 0."""
    wrong = set() if wrong is None else wrong
    rows = []
    for index in range(count):
        generation: dict[str, Any] | None = None
        result: EvaluateResult | None
        if index % 9 == 8:
            generation = {"model": "m", "error": "HTTP 500 from the model server"}
            result = None
        elif index % 7 == 6:
            result = EvaluateResult(score=0.0, is_score_valid=False, error=TIMEOUT_ERROR)
        else:
            score = 0.0 if index in wrong else 1.0
            result = EvaluateResult(
                score=score,
                reason=f"reason {index}",
                metrics={
                    "accuracy": MetricResult(score=score, reason="matches", is_score_valid=True),
                    "format": MetricResult(score=0.5, reason="boxed", is_score_valid=True),
                },
            )
        rows.append(
            result_row(
                sample_id=f"s{index:03d}",
                variant=0,
                messages=_conversation(index),
                ground_truth=str(2 * index),
                result=result,
                generation=generation,
            )
        )
    return rows


def make_run(folder: Path, rows: list[dict[str, Any]]) -> Path:
    """A run directory holding ``rows`` and their summary; returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "results.jsonl").open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")
    summary = summarize(rows) | {"run_dir": str(folder), "rewards": ["test_reward"]}
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    return folder


def chromium_path() -> str | None:
    """A Chromium executable on this machine, if there is one."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None
