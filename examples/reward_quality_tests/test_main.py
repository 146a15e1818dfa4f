"""Reward quality as tests: unit tests of the reward, and a quality gate over data.jsonl.

Run: ``pytest examples/reward_quality_tests``.
"""

from __future__ import annotations

from main import evaluate

from reward_kit import EvaluateResult
from reward_kit.testing import assert_score, evaluation_test


def test_the_last_number_is_the_answer(reward_kit_messages) -> None:
    messages = reward_kit_messages("What is 2 + 2?", "2 + 2 = 4")
    assert_score(evaluate(messages, ground_truth="4"), 1.0)


def test_no_number_is_not_a_wrong_answer(reward_kit_messages) -> None:
    assert_score(evaluate(reward_kit_messages("2 + 2?", "four"), ground_truth="4"), valid=False)


def test_the_reward_works_in_a_worker_process(reward_kit_messages, reward_kit_worker) -> None:
    result = reward_kit_worker(evaluate, reward_kit_messages("2 + 2?", "4"), ground_truth="4")
    assert_score(result, 1.0)


@evaluation_test(
    dataset="data.jsonl",
    reward=evaluate,
    threshold=["mean >= 0.75", "concise >= 0.9"],
)
def test_answer_quality(row: dict, result: EvaluateResult) -> None:
    assert result.reason.startswith("answered")
