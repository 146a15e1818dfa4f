"""The public names of the execution layer and the code rewards (DESIGN.md's list)."""

from __future__ import annotations

import importlib

import pytest

PUBLIC = {
    "reward_kit.execution": ["LocalExecutor", "E2BExecutor", "ExecutionResult"],
    "reward_kit.rewards.code_execution": [
        "local_code_execution_reward",
        "e2b_code_execution_reward",
        "fractional_code_reward",
        "humaneval_check_reward",
    ],
    "reward_kit.rewards.deepcoder_reward": ["deepcoder_code_reward"],
    "reward_kit.rewards.apps_coding_reward": ["evaluate_apps_solution"],
}


@pytest.mark.parametrize(("module_name", "names"), PUBLIC.items())
def test_names_are_exported(module_name: str, names: list[str]) -> None:
    module = importlib.import_module(module_name)
    for name in names:
        assert name in module.__all__ and hasattr(module, name), f"{module_name}.{name}"


def test_the_e2b_sdk_is_imported_only_when_used() -> None:
    import subprocess
    import sys

    code = "import sys, reward_kit.execution; print('e2b' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_code_rewards_are_registered_by_short_name() -> None:
    from reward_kit._registry import resolve_reward
    from reward_kit.rewards import apps_coding_reward, code_execution, deepcoder_reward

    assert resolve_reward("fractional_code_reward") is code_execution.fractional_code_reward
    assert resolve_reward("humaneval_check_reward") is code_execution.humaneval_check_reward
    assert resolve_reward("deepcoder_code_reward") is deepcoder_reward.deepcoder_code_reward
    assert resolve_reward("evaluate_apps_solution") is apps_coding_reward.evaluate_apps_solution
