"""Step rewards read in order, and turned into discounted returns."""

from __future__ import annotations

import pytest

from reward_kit.models import EvaluateResult, StepOutput
from reward_kit.steps import discounted_returns, step_rewards


def test_returns_discount_what_is_still_to_come() -> None:
    assert discounted_returns([1.0, 0.0, 1.0], gamma=0.9) == pytest.approx([1.81, 0.9, 1.0])
    assert discounted_returns([1.0, 2.0, 3.0]) == [6.0, 5.0, 3.0]
    assert discounted_returns([1.0, 2.0], gamma=0.0) == [1.0, 2.0]
    assert discounted_returns([]) == []


@pytest.mark.parametrize("gamma", [-0.1, 1.5, float("nan")])
def test_a_discount_outside_zero_to_one_is_refused(gamma: float) -> None:
    with pytest.raises(ValueError, match="gamma must be between 0 and 1"):
        discounted_returns([1.0], gamma=gamma)


def test_step_rewards_come_in_step_order() -> None:
    steps = [
        StepOutput(step_index=2, base_reward=0.5),
        StepOutput(step_index="final", base_reward=3.0),
        StepOutput(step_index=0, base_reward=1.0),
        StepOutput(step_index=1, base_reward=-1.0),
    ]
    result = EvaluateResult(score=1.0, step_outputs=steps)
    assert step_rewards(result) == [1.0, -1.0, 0.5, 3.0]
    assert step_rewards(EvaluateResult(score=1.0)) == []


def test_an_unscored_result_or_repeated_index_has_no_step_rewards() -> None:
    with pytest.raises(ValueError, match="could not be scored.*timed out"):
        step_rewards(EvaluateResult.invalid("timed out"))
    repeated = [StepOutput(step_index=0, base_reward=1.0)] * 2
    with pytest.raises(ValueError, match="two steps share an index"):
        step_rewards(EvaluateResult(score=1.0, step_outputs=repeated))
