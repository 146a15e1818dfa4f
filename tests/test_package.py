"""Tests of the package as a whole: public names, import cost, the command line."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PUBLIC_NAMES = {
    "reward_kit": [
        "reward_function",
        "RewardFunction",
        "Message",
        "EvaluateResult",
        "MetricResult",
        "StepOutput",
    ],
    "reward_kit.models": [
        "Message",
        "EvaluateResult",
        "MetricResult",
        "StepOutput",
        "ToolCall",
        "FunctionCall",
    ],
    "reward_kit.typed_interface": ["reward_function"],
    "reward_kit.reward_function": ["RewardFunction"],
    "reward_kit.scoring": ["score_batch", "ascore_batch", "Scorer"],
    "reward_kit.integrations.trl": ["create_trl_adapter", "combine"],
}


@pytest.mark.parametrize(("module_name", "names"), PUBLIC_NAMES.items())
def test_public_names_are_importable_and_exported(module_name: str, names: list[str]) -> None:
    module = importlib.import_module(module_name)
    for name in names:
        assert hasattr(module, name), f"{module_name}.{name} is missing"
        assert name in module.__all__, f"{name} is not in {module_name}.__all__"


def _run_python(code: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout


def test_importing_reward_kit_loads_no_heavy_dependency() -> None:
    loaded = json.loads(
        _run_python("import sys, json, reward_kit; print(json.dumps(list(sys.modules)))")
    )
    heavy = {"httpx", "numpy", "torch", "trl", "datasets", "hydra", "fastapi", "sympy", "e2b"}
    assert heavy.isdisjoint(name.split(".")[0] for name in loaded)


def test_command_line_help_and_version() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    help_text = subprocess.run(
        [sys.executable, "-m", "reward_kit", "--help"], env=env, capture_output=True, text=True
    )
    assert help_text.returncode == 0
    assert "usage: reward-kit" in help_text.stdout
    version = subprocess.run(
        [sys.executable, "-m", "reward_kit", "--version"], env=env, capture_output=True, text=True
    )
    assert version.stdout.strip().startswith("reward-kit ")
    bare = subprocess.run([sys.executable, "-m", "reward_kit"], env=env, capture_output=True)
    assert bare.returncode == 2
