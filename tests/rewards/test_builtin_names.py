"""Every public name of a built-in reward module is a registered reward, findable by name."""

from __future__ import annotations

import importlib

import pytest

from reward_kit._registry import resolve_reward
from tests._support.public_names import PUBLIC_NAMES

REWARD_MODULES = {
    module: names
    for module, names in PUBLIC_NAMES.items()
    if module.startswith("reward_kit.rewards.")
}


@pytest.mark.parametrize(("module_name", "names"), REWARD_MODULES.items())
def test_public_names_of_reward_modules_are_decorated_rewards(
    module_name: str, names: list[str]
) -> None:
    module = importlib.import_module(module_name)
    for name in names:
        assert hasattr(getattr(module, name), "__reward_kit__"), f"{module_name}.{name}"


def test_short_names_resolve_to_the_builtins() -> None:
    from reward_kit.rewards import function_calling, llm_judge, repetition

    assert resolve_reward("diversity_reward") is repetition.diversity_reward
    assert resolve_reward("llm_judge_reward") is llm_judge.llm_judge_reward
    assert resolve_reward("function_call_llm_judge_reward") is function_calling.llm_judge_reward
