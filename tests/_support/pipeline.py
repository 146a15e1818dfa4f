"""Datasets of sums, the OpenAI stand-in's answers to them, and JSONL files, for run tests."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests._servers.openai_stub import RecordedRequest

REWARDS = "tests.pipeline._rewards"
_SUM = re.compile(r"What is (\d+) \+ (\d+)\?")


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    """Write rows as JSON lines and return the path."""
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The JSON objects of a JSONL file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def sum_problems(count: int) -> list[dict[str, Any]]:
    """Rows ``What is a + b?`` with their sums as ground truth."""
    return [
        {"id": f"q{i}", "user_query": f"What is {i} + {i + 1}?", "ground_truth": str(2 * i + 1)}
        for i in range(count)
    ]


def solve(request: RecordedRequest) -> str:
    """The stub's answer: the right sum for problems whose first term is even, else off by one."""
    first, second = (int(term) for term in _SUM.findall(request.last_user_text)[0])
    total = first + second + (first % 2)
    return f"The answer is {total}."
