"""Fluency of a text: from a user's scoring function, or graded by an OpenAI-compatible model."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from reward_kit.rewards._judge import JudgeConfig, ask_judge, build_prompt
from reward_kit.rewards._summarization.text import finite_unit

FLUENCY_RUBRIC = (
    "Judge only the fluency of the response: grammatical, natural, readable sentences that "
    "flow. Ignore whether it is correct or complete. Keyword lists, fragments, repeated lines "
    "and garbled text score lowest."
)

Scorer = Callable[[str], Any]
"""A fluency function: text -> score in 0..1 (or an awaitable of one)."""


async def fluency(
    text: str, scorer: Scorer | None, config: JudgeConfig | None
) -> tuple[float, str]:
    """The fluency of ``text`` in 0..1 and how it was judged.

    Raises:
        ValueError: the scorer gave no score in 0..1. JudgeError: the model gave no grade.
    """
    if scorer is not None:
        value = scorer(text)
        if inspect.isawaitable(value):
            value = await value
        name = getattr(scorer, "__name__", type(scorer).__name__)
        return finite_unit(value, f"the fluency scorer {name}"), f"scored by {name}"
    if config is None:
        raise ValueError("give scorer= (a function) or model= (a judge model) for fluency")
    verdict = await ask_judge(build_prompt(FLUENCY_RUBRIC, [], text, None, config), config)
    return verdict.score, f"{verdict.model}: {verdict.explanation[-300:]}"
