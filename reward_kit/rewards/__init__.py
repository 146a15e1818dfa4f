"""Built-in reward functions, one module per family.

``from reward_kit.rewards import math_reward`` works as in reward-kit, and so does importing a
family module (``from reward_kit.rewards.math import math_reward``). Names are loaded on first
use, so importing this package never pays for a family's heavy dependencies.
"""

from __future__ import annotations

import importlib
from typing import Any

_FAMILIES = {
    "accuracy": ["accuracy_reward", "fuzzy_accuracy_reward"],
    "aliases": ["format_compliance", "fuzzy_accuracy", "length_penalty", "syntax_validation"],
    "accuracy_length": ["cosine_scaled_accuracy_length_reward"],
    "apps_coding_reward": ["evaluate_apps_solution"],
    "code_execution": [
        "binary_code_reward",
        "e2b_code_execution_reward",
        "fractional_code_reward",
        "local_code_execution_reward",
    ],
    "cpp_code": ["binary_cpp_code_reward", "ioi_cpp_code_reward"],
    "deepcoder_reward": ["deepcoder_code_reward"],
    "format": ["format_reward"],
    "function_calling": [
        "composite_function_call_reward",
        "exact_tool_match_reward",
        "llm_judge_reward",
        "schema_jaccard_reward",
    ],
    "json_schema": ["json_schema_reward"],
    "language_consistency": ["language_consistency_reward"],
    "lean_prover": ["deepseek_prover_v2_reward", "lean_prover_reward"],
    "length": ["cosine_length_reward", "length_reward"],
    "list_comparison_math_reward": ["list_comparison_math_reward"],
    "math": ["math_reward"],
    "multiple_choice_math_reward": ["multiple_choice_math_reward"],
    "reasoning_steps": ["reasoning_steps_reward", "sequence_reward"],
    "repetition": ["diversity_reward", "repetition_penalty_reward"],
    "rouge": ["bullet_recall_reward", "rouge_reward"],
    "sql": ["sql_execution_reward"],
    "summarization": [
        "fluency_reward",
        "key_fact_recall_reward",
        "length_gate_reward",
        "summarization_reward",
    ],
    "syntax": ["syntax_validation_reward"],
    "tag_count": ["tag_count_reward"],
    "tool_trajectory": ["tool_trajectory_reward"],
}
_HOME = {name: family for family, names in _FAMILIES.items() for name in names}

__all__ = sorted(_HOME)


def __getattr__(name: str) -> Any:
    """Load a built-in reward (or a family module) the first time it is asked for."""
    if name in _HOME:
        value = getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
    elif name in _FAMILIES:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*__all__, *_FAMILIES])
