"""list_comparison_math_reward: lists compared item by item with math equivalence."""

import pytest

from reward_kit.rewards.list_comparison_math_reward import list_comparison_math_reward

QUESTION = {"role": "user", "content": "Find all real roots of x^3 - 2x^2 - x + 2."}


def convo(response: str) -> list[dict]:
    return [QUESTION, {"role": "assistant", "content": response}]


@pytest.mark.parametrize(
    "gold",
    [
        [-1, 1, 2],
        "-1, 1, 2",
        "\\{2, 1, -1\\}",
        ["2", "1", "-1"],
        "\\boxed{2, 1, -1}",
        "The roots are $\\boxed{-1, 1, 2}$.",
    ],
)
def test_any_order_by_default(gold: object) -> None:
    assert (
        list_comparison_math_reward(convo("The roots are $\\boxed{2, -1, 1}$"), gold).score == 1.0
    )


def test_order_matters_option() -> None:
    response = "\\boxed{2, -1, 1}"
    assert list_comparison_math_reward(convo(response), [-1, 1, 2], order_matters=True).score == 0.0
    assert list_comparison_math_reward(convo(response), [2, -1, 1], order_matters=True).score == 1.0


def test_items_compared_as_math() -> None:
    gold = ["\\frac{1}{2}", "\\sqrt{2}"]
    assert list_comparison_math_reward(convo("Answer: 0.5 and 2^{1/2}"), gold).score == 1.0
    assert list_comparison_math_reward(convo("\\boxed{\\sqrt{2}, 0.5}"), gold).score == 1.0
    assert list_comparison_math_reward(convo("Answer: 0.5 and 2^{1/3}"), gold).score == 0.0


def test_extra_items_do_not_pay() -> None:
    result = list_comparison_math_reward(convo("\\boxed{-2, -1, 0, 1, 2, 3}"), [-1, 1, 2])
    assert (result.score, result.is_score_valid) == (0.0, True)
    assert "6 item(s)" in (result.reason or "")


def test_last_line_when_no_answer_is_stated() -> None:
    response = "Factor: (x-2)(x-1)(x+1).\nSo x = 2, x = 1 or x = -1"
    assert list_comparison_math_reward(convo(response), [-1, 1, 2]).score == 1.0


@pytest.mark.parametrize(
    ("messages", "ground_truth", "fragment"),
    [
        ([], [1], "empty"),
        (convo("\\boxed{1}"), [], "ground_truth holds no items"),
        (convo("\\boxed{1}"), [{"a": 1}], "must be a string or a number"),
    ],
)
def test_bad_input_is_invalid(messages: list, ground_truth: object, fragment: str) -> None:
    result = list_comparison_math_reward(messages, ground_truth)
    assert result.is_score_valid is False
    assert fragment in (result.error or "")


def test_reward_kit_metric_names() -> None:
    result = list_comparison_math_reward(convo("$\\boxed{2, -1, 1}$"), "\\boxed{-1, 1, 2}")
    assert result.metrics["list_comparison"].score == 1.0
    assert result.metrics["extracted_generated_lists"].success
    assert result.metrics["extracted_original_lists"].reason == "reference: -1, 1, 2"
