"""Fixtures of the pipeline tests: the OpenAI stand-in server, datasets and run configs."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests._servers.openai_stub import OpenAIStub, RecordedRequest, openai_stub

__all__ = ["openai_stub"]

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


@pytest.fixture
def make_config(tmp_path: Path, openai_stub: OpenAIStub) -> Callable[..., dict[str, Any]]:
    """A run config (dict) over a dataset file, generating with the stub; overrides merge in."""

    def make(rows: list[dict[str, Any]], **sections: Any) -> dict[str, Any]:
        dataset = write_jsonl(tmp_path / "data.jsonl", rows)
        config: dict[str, Any] = {
            "dataset": {"source_type": "jsonl", "path_or_name": str(dataset)},
            "generation": {
                "model_name": "stub-model",
                "api_base": openai_stub.url,
                "api_key_env": None,
                "cache": {"path": str(tmp_path / "cache.sqlite")},
                "api_params": {"max_retries": 2, "backoff_base": 0.01, "timeout": 5.0},
            },
            "reward": {"function_path": f"{REWARDS}:final_number_matches"},
            "evaluation_params": {"workers": 0},
            "output": {"progress": "none"},
        }
        return _merge(config, sections)

    return make


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged
