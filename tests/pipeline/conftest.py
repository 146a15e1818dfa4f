"""Fixtures of the pipeline tests: the OpenAI stand-in server, datasets and run configs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests._servers.openai_stub import OpenAIStub, openai_stub
from tests._support.pipeline import REWARDS, read_jsonl, solve, sum_problems, write_jsonl

# Imported by this folder's modules from here; the helpers live in tests/_support/pipeline.py.
__all__ = ["REWARDS", "openai_stub", "read_jsonl", "solve", "sum_problems", "write_jsonl"]


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
