"""Quickstart: write a reward function and score a small dataset with it, offline.

Run from the repository root: ``python examples/quickstart/main.py``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from reward_kit import EvaluateResult, Message, MetricResult, reward_function
from reward_kit.scoring import score_batch

SAMPLES = Path(__file__).with_name("samples.jsonl")


@reward_function
def last_number_matches(
    messages: list[Message], ground_truth: str | None = None, **kwargs: Any
) -> EvaluateResult:
    """1.0 when the last number in the response equals the reference answer."""
    if not messages or messages[-1].role != "assistant":
        return EvaluateResult.invalid("the conversation does not end with an assistant turn")
    numbers = re.findall(r"-?\d+(?:\.\d+)?", messages[-1].text)
    if not numbers:
        return EvaluateResult(score=0.0, reason="no number in the response")
    answer = numbers[-1]
    correct = answer == ground_truth
    return EvaluateResult(
        score=float(correct),
        reason=f"last number {answer}, expected {ground_truth}",
        metrics={"found_number": MetricResult(score=1.0, reason=answer, success=True)},
    )


def main() -> None:
    rows = [json.loads(line) for line in SAMPLES.read_text().splitlines() if line.strip()]
    samples = [{k: v for k, v in row.items() if k != "id"} for row in rows]
    results = score_batch(last_number_matches, samples, timeout=10)
    for row, result in zip(rows, results, strict=True):
        status = f"{result.score:.1f}" if result.is_score_valid else "INVALID"
        print(f"{row['id']:>4}  {status:>7}  {result.error or result.reason}")
    valid = [r.score for r in results if r.is_score_valid]
    print(
        f"mean score {sum(valid) / len(valid):.2f} over {len(valid)} valid samples, "
        f"{len(results) - len(valid)} could not be scored"
    )


if __name__ == "__main__":
    main()
