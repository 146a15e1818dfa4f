"""reward-kit's short names from its "Reward Functions Overview" page, over our rewards.

The page names ``accuracy``, ``fuzzy_accuracy``, ``length``, ``length_penalty``,
``json_schema``, ``format_compliance``, ``code_execution`` and ``syntax_validation``. Each is
registered under that name (``reward: accuracy`` in a config, ``resolve_reward("accuracy")``);
those that are not also a module of ``reward_kit.rewards`` are importable from it too.
"""

from __future__ import annotations

from typing import Any

from reward_kit._registry import register
from reward_kit.rewards.accuracy import accuracy_reward, fuzzy_accuracy_reward
from reward_kit.rewards.code_execution import local_code_execution_reward
from reward_kit.rewards.format import format_reward
from reward_kit.rewards.json_schema import json_schema_reward
from reward_kit.rewards.length import length_reward
from reward_kit.rewards.syntax import syntax_validation_reward

__all__ = ["format_compliance", "fuzzy_accuracy", "length_penalty", "syntax_validation"]

format_compliance = format_reward
fuzzy_accuracy = fuzzy_accuracy_reward
length_penalty = length_reward
syntax_validation = syntax_validation_reward

_ALIASES: dict[str, Any] = {
    "accuracy": accuracy_reward,
    "length": length_reward,
    "length_penalty": length_reward,
    "format_compliance": format_reward,
    "json_schema": json_schema_reward,
    "code_execution": local_code_execution_reward,
}
for _name, _reward in _ALIASES.items():
    register(_name, f"{_reward.__module__}:{_reward.__qualname__}", _reward, explicit=True)
