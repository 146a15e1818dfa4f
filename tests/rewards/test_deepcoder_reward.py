"""deepcoder_code_reward: all tests or nothing."""

from __future__ import annotations

from reward_kit.rewards.deepcoder_reward import deepcoder_code_reward
from tests.rewards.conversations import IO_TESTS, SUM, answer


def test_all_or_nothing() -> None:
    assert deepcoder_code_reward(answer(SUM), ground_truth=IO_TESTS).score == 1.0
    almost = "a, b = map(int, input().split())\nprint(a + b if a else 1)"
    result = deepcoder_code_reward(answer(almost), ground_truth=IO_TESTS)
    assert (result.score, result.is_score_valid) == (0.0, True)
    assert result.metrics["test_0"].success and not result.metrics["test_2"].success


def test_accepts_output_key_and_livecodebench_functional_tests() -> None:
    tests = [
        {
            "input": "[3, 1, 2]",
            "output": "[1, 2, 3]",
            "testtype": "functional",
            "metadata": {"func_name": "sort_list"},
        },
        {
            "input": "[]",
            "output": "[]",
            "testtype": "functional",
            "metadata": {"func_name": "sort_list"},
        },
    ]
    code = "def sort_list(xs):\n    return sorted(xs)"
    assert deepcoder_code_reward(answer(code), ground_truth=tests).score == 1.0
    explicit = deepcoder_code_reward(
        answer("def f(xs):\n    return xs"), ground_truth=tests, target_function="f"
    )
    assert explicit.score == 0.0


def test_invalid_ground_truth_stays_invalid() -> None:
    result = deepcoder_code_reward(answer(SUM), ground_truth="not json")
    assert not result.is_score_valid and "JSON" in (result.error or "")


def test_reward_kit_metrics_and_default_timeout() -> None:
    import inspect

    passed = deepcoder_code_reward(answer(SUM), ground_truth=IO_TESTS)
    assert passed.metrics["overall_status"].success
    assert passed.metrics["extracted_code"].reason.strip() == SUM
    failed = deepcoder_code_reward(answer("print(0)"), ground_truth=IO_TESTS)
    assert failed.metrics["overall_status"].score == 0.0
    assert inspect.signature(deepcoder_code_reward).parameters["timeout"].default == 10
