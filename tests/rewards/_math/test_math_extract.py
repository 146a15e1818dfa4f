"""Answer extraction: the order of sources, nested braces, gold forms, huge inputs."""

import time

import pytest

from reward_kit.rewards._math.extract import (
    boxed_contents,
    final_answer,
    last_number,
    reference_answer,
)


@pytest.mark.parametrize(
    ("text", "expected", "method"),
    [
        ("so \\boxed{\\frac{1}{\\sqrt{2}}} done", "\\frac{1}{\\sqrt{2}}", "boxed"),
        ("\\boxed{1} then \\fbox{2}", "2", "boxed"),
        ("<answer>7</answer> but \\boxed{8}", "8", "boxed"),
        ("<answer>1</answer> ... <answer> 9 </answer>", "9", "answer_tag"),
        ("<answer>7</answer>\n#### 8", "7", "answer_tag"),
        ("Natalia sold 48 clips.\n#### 72", "72", "gsm8k"),
        ("#### 3\nThe final answer is 4", "3", "gsm8k"),
        (
            "The final answer is $\\frac{3}{4}$. I hope it is correct.",
            "$\\frac{3}{4}$",
            "answer_phrase",
        ),
        ("Answer: 12 apples\nThat is all.", "12 apples", "answer_phrase"),
        ("the answer is 3.5.", "3.5", "answer_phrase"),
        ("We add 2 and 3 to get 5", "5", "last_number"),
        ("It costs $1,234.50 in total.", "1,234.50", "last_number"),
        ("roughly 40% of them", "40%", "last_number"),
    ],
)
def test_final_answer_order(text: str, expected: str, method: str) -> None:
    answer = final_answer(text)
    assert answer is not None
    assert (answer.text, answer.method) == (expected, method)


def test_no_answer_at_all() -> None:
    assert final_answer("I do not know.") is None
    assert final_answer("") is None


def test_boxed_nested_and_escaped_braces() -> None:
    text = "\\boxed{\\{1, \\frac{2}{3}\\}} and \\boxed{unclosed"
    assert boxed_contents(text) == ["\\{1, \\frac{2}{3}\\}"]


def test_answer_word_without_is_or_colon_is_not_a_phrase() -> None:
    answer = final_answer("To answer this, note 3 + 4 = 7")
    assert answer is not None
    assert (answer.text, answer.method) == ("7", "last_number")


def test_last_number_ignores_digits_inside_words() -> None:
    assert last_number("x2 and y3 are 17") == "17"
    assert last_number("no digits") is None


@pytest.mark.parametrize(
    ("gold", "expected", "method"),
    [
        ("42", "42", "whole"),
        ("$\\frac{1}{2}$", "\\frac{1}{2}", "whole"),
        ("\\(x^2\\)", "x^2", "whole"),
        ("Janet has 3 eggs.\n3 * 2 = 6\n#### 6", "6", "gsm8k"),
        ("The area is $\\boxed{12\\pi}$.", "12\\pi", "boxed"),
    ],
)
def test_reference_answer_forms(gold: str, expected: str, method: str) -> None:
    answer = reference_answer(gold)
    assert answer is not None
    assert (answer.text, answer.method) == (expected, method)


def test_extraction_is_linear_on_huge_adversarial_text() -> None:
    # Unclosed boxes and answer words: a quadratic scan takes 4x as long on twice the text.
    def took(repeats: int) -> float:
        text = "\\boxed{ answer is " * repeats
        best = float("inf")
        for _ in range(3):  # the best of three, so one scheduling hiccup does not count
            start = time.perf_counter()
            answer = final_answer(text)
            best = min(best, time.perf_counter() - start)
            assert answer is None or answer.method != "boxed"
        return best

    small, large = took(6000), took(12000)
    assert large < 3 * small + 0.01, (small, large)  # linear: about 2x; quadratic: about 4x
