"""Tests of reward_kit/_types.py: the one reader of reward-kit's older ``ground_truth_for_eval``."""

from __future__ import annotations

from reward_kit._types import accept_legacy_ground_truth


def test_the_old_name_becomes_ground_truth_unless_both_are_given() -> None:
    assert accept_legacy_ground_truth({"ground_truth_for_eval": 4}) == {"ground_truth": 4}
    both = {"ground_truth": 1, "ground_truth_for_eval": 2}
    assert accept_legacy_ground_truth(dict(both)) == both
    assert accept_legacy_ground_truth({"messages": []}) == {"messages": []}
