"""The reward names of DESIGN.md for the format, length, structure, tool and judge families."""

from __future__ import annotations

import importlib

import pytest

from reward_kit._registry import resolve_reward

NAMES = {
    "reward_kit.rewards.format": ["format_reward"],
    "reward_kit.rewards.tag_count": ["tag_count_reward"],
    "reward_kit.rewards.reasoning_steps": ["reasoning_steps_reward"],
    "reward_kit.rewards.length": ["length_reward", "cosine_length_reward"],
    "reward_kit.rewards.accuracy_length": ["cosine_scaled_accuracy_length_reward"],
    "reward_kit.rewards.repetition": ["repetition_penalty_reward", "diversity_reward"],
    "reward_kit.rewards.language_consistency": ["language_consistency_reward"],
    "reward_kit.rewards.json_schema": ["json_schema_reward"],
    "reward_kit.rewards.function_calling": [
        "exact_tool_match_reward",
        "schema_jaccard_reward",
        "llm_judge_reward",
        "composite_function_call_reward",
    ],
    "reward_kit.rewards.rouge": ["rouge_reward", "bullet_recall_reward"],
    "reward_kit.rewards.llm_judge": ["llm_judge_reward"],
}


@pytest.mark.parametrize(("module_name", "names"), NAMES.items())
def test_names_are_exported_rewards(module_name: str, names: list[str]) -> None:
    module = importlib.import_module(module_name)
    for name in names:
        assert name in module.__all__
        assert hasattr(getattr(module, name), "__reward_kit__")


def test_short_names_resolve_to_the_builtins() -> None:
    from reward_kit.rewards import function_calling, llm_judge, repetition

    assert resolve_reward("diversity_reward") is repetition.diversity_reward
    assert resolve_reward("llm_judge_reward") is llm_judge.llm_judge_reward
    assert resolve_reward("function_call_llm_judge_reward") is function_calling.llm_judge_reward
