"""reward-kit's "Math Evaluation" page, run as written (in our words)."""

from __future__ import annotations

import pytest

from reward_kit.rewards import math_reward as exported
from reward_kit.rewards.math import compare_numbers, extract_numbers, math_reward


def convo(question: str, answer: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]


def test_basic_usage() -> None:
    messages = convo(
        "Calculate 15% of 80.",
        "To calculate 15% of 80, I'll multiply 80 by 0.15:\n\n80 \u00d7 0.15 = 12\n\n"
        "Therefore, 15% of 80 is 12.",
    )
    result = math_reward(messages=messages, expected_answer="12")
    assert result.score == 1.0 and result.metrics
    assert exported is math_reward


def test_customizing_extraction_with_units() -> None:
    messages = convo(
        "What is the area of a circle with radius 3 cm?",
        "Area = \u03c0 \u00d7 3\u00b2 = 9\u03c0 cm\u00b2 \u2248 28.27 cm\u00b2\n\n"
        "Therefore the area is \n\n$$\\boxed{28.27 \\text{ cm}^2}$$",
    )
    result = math_reward(
        messages=messages,
        expected_answer="28.27 cm^2",
        extract_boxed_only=True,
        ignore_units=False,
        tolerance=0.01,
    )
    assert result.score == 1.0
    unboxed = convo("Area?", "The area is 28.27 cm^2.")
    assert (
        math_reward(messages=unboxed, expected_answer="28.27", extract_boxed_only=True).score == 0
    )


def test_multiple_valid_answers() -> None:
    messages = convo(
        "What is 1/4 + 1/6?", "LCD = 12\n\n3/12 + 2/12 = 5/12\n\nTherefore, 1/4 + 1/6 = 5/12"
    )
    result = math_reward(messages=messages, expected_answer=["5/12", "0.41666"], tolerance=0.001)
    assert result.score == 1.0
    assert math_reward(messages=messages, expected_answer=["1/2", "0.5"]).score == 0.0


def test_original_messages_as_reference() -> None:
    original = [{"role": "user", "content": "Solve the equation 2x + 5 = 15. The answer is x = 5."}]
    generated = convo(
        "Solve the equation 2x + 5 = 15.",
        "2x + 5 = 15\n2x = 10\nx = 10/2\nx = 5\n\nTherefore, the solution is x = 5.",
    )
    result = math_reward(
        messages=generated, original_messages=original, extract_answer_from_original=True
    )
    assert result.score == 1.0


@pytest.mark.parametrize(
    ("written", "gold"),
    [
        ("42", "42"),
        ("-27", "-27"),
        ("3.14159", "3.14159"),
        ("3/4", "0.75"),
        ("-5/8", "-0.625"),
        ("1 2/3", "5/3"),
        ("1.23e4", "12300"),
        ("6.022 \u00d7 10^23", "6.022e23"),
        ("5.67 \u00d7 10\u207b\u2078", "5.67e-8"),
        ("\\boxed{42}", "42"),
        ("$\\frac{3}{4}$", "0.75"),
        ("$2.998 \\times 10^8 \\text{ m/s}$", "2.998e8"),
        ("42 kg", "42"),
        ("3.14 m/s\u00b2", "3.14"),
        ("5 \\text{ meters}", "5"),
    ],
)
def test_supported_answer_formats(written: str, gold: str) -> None:
    result = math_reward(
        messages=convo("Compute it.", f"The answer is {written}"), ground_truth=gold
    )
    assert result.score == 1.0, result.reason


def test_number_helpers() -> None:
    assert [value for _, value in extract_numbers("x = 3/4 and y = 1,200")] == [0.75, 1200.0]
    assert compare_numbers(12.0, 12.0000001) == (True, 1.0)
    assert compare_numbers(12.0, 12.5) == (False, 0.0)  # close is not right
