"""Every built-in reward warns about a keyword that looks like a misspelt option of its own."""

from __future__ import annotations

import inspect
import warnings

import pytest

import reward_kit.rewards as rewards
from reward_kit.rewards._options import RewardOptionWarning

SKIP = {"messages", "ground_truth", "original_messages", "kwargs"}


def _first_option(reward: object) -> str:
    parameters = inspect.signature(reward).parameters.values()  # type: ignore[arg-type]
    return next(p.name for p in parameters if p.name not in SKIP and p.kind != p.VAR_KEYWORD)


# Aliases (format_compliance = format_reward) share their reward's warn-once record.
DISTINCT = list({id(getattr(rewards, name)): name for name in reversed(rewards.__all__)}.values())


@pytest.mark.parametrize("name", sorted(DISTINCT))
def test_a_misspelt_option_warns_naming_the_reward(name: str) -> None:
    reward = getattr(rewards, name)
    option = _first_option(reward)
    typo = option + option[-1]
    conversation = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
    with pytest.warns(RewardOptionWarning, match=rf"did you mean '{option}'"):
        reward(conversation, None, **{typo: None})


def test_a_known_option_or_an_unrelated_column_is_silent() -> None:
    conversation = [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RewardOptionWarning)
        rewards.format_reward(conversation, format_regex=r"\d", dataset_split="train")
