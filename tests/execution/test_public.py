"""The execution layer imports its SDKs lazily, and the code rewards are found by short name.

Their public names are checked with every other module's in tests/test_package.py."""

from __future__ import annotations


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
