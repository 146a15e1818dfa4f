"""Step-level rewards of multi-turn trajectories, and the returns RL algorithms train on.

A reward that judges each assistant turn of a conversation reports it in
``EvaluateResult.step_outputs``: one :class:`~reward_kit.models.StepOutput` per step, with its
``base_reward``. These helpers read them in step order and turn them into returns::

    from reward_kit.steps import discounted_returns, step_rewards

    rewards = step_rewards(result)             # [1.0, 0.0, 1.0]
    discounted_returns(rewards, gamma=0.9)     # [1.81, 0.9, 1.0]
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from reward_kit.models import EvaluateResult, StepOutput

__all__ = ["discounted_returns", "step_rewards"]


def _order(step: StepOutput) -> tuple[int, int | str]:
    """Numeric step indexes first, in numeric order; labels after them, in their given order."""
    return (0, step.step_index) if isinstance(step.step_index, int) else (1, 0)


def step_rewards(result: EvaluateResult) -> list[float]:
    """The per-step rewards of ``result`` in step order (empty when it has none).

    Raises:
        ValueError: ``result`` could not be scored (its steps mean nothing then), or two steps
            share an index.
    """
    if not result.is_score_valid:
        raise ValueError(f"the result could not be scored, so it has no step rewards: "
                         f"{result.error or result.reason}")  # fmt: skip
    steps = list(result.step_outputs or [])
    indexes = [step.step_index for step in steps]
    if len(set(indexes)) != len(indexes):
        raise ValueError(f"two steps share an index: {indexes}")
    return [step.base_reward for step in sorted(steps, key=_order)]


def discounted_returns(rewards: Sequence[float], gamma: float = 1.0) -> list[float]:
    """The return of each step: its reward plus ``gamma`` times the next step's return.

    Args:
        rewards: Per-step rewards in step order (see :func:`step_rewards`).
        gamma: Discount factor in ``[0, 1]``; 1 sums the rewards still to come.

    Returns:
        ``G_t = r_t + gamma * G_{t+1}`` for each step ``t`` (the last step's return is its
        reward); an empty list for no steps.
    """
    if not 0.0 <= gamma <= 1.0 or math.isnan(gamma):
        raise ValueError(f"gamma must be between 0 and 1, got {gamma}")
    returns: list[float] = []
    following = 0.0
    for reward in reversed(rewards):
        if not math.isfinite(reward):
            raise ValueError(f"step rewards must be finite, got {reward}")
        following = reward + gamma * following
        returns.append(following)
    return returns[::-1]
