"""multiple_choice_math_reward: which option did the response commit to?"""

import pytest

from reward_kit.rewards.multiple_choice_math_reward import choice, multiple_choice_math_reward

QUESTION = {"role": "user", "content": "Which is prime? (A) 4 (B) 6 (C) 7 (D) 9 (E) 10"}


def convo(response: str) -> list[dict]:
    return [QUESTION, {"role": "assistant", "content": response}]


@pytest.mark.parametrize(
    ("response", "letter", "method"),
    [
        ("7 is prime, so $\\boxed{C}$", "C", "boxed"),
        ("\\boxed{\\text{(C)}}", "C", "boxed"),
        ("The answer is (C).", "C", "answer_phrase"),
        ("Answer: C", "C", "answer_phrase"),
        ("The answer is A because 4 is even.", "A", "answer_phrase"),
        ("The answer is **A**.", "A", "answer_phrase"),
        ("The correct option is **C**", "C", "answer_phrase"),
        ("Only 7 is prime. (C)", "C", "parenthesised"),
        ("After checking each:\nC. 7", "C", "line_start"),
    ],
)
def test_choice_forms(response: str, letter: str, method: str) -> None:
    assert choice(response, "ABCDE") == (letter, method)


@pytest.mark.parametrize(
    "response",
    [
        "The answer is a prime number, namely 7.",  # the article "a" is not option A
        "A prime has two divisors; the answer is a seven.",
        "A good approach is to test divisibility.",
    ],
)
def test_article_a_is_not_option_a(response: str) -> None:
    assert choice(response, "ABCDE")[0] is None


def test_listing_several_options_is_no_choice() -> None:
    letter, reason = choice("(A) no (B) no (C) yes (D) no", "ABCDE")
    assert letter is None
    assert "several options" in reason
    assert multiple_choice_math_reward(convo("(A) (B) (C) (D) (E)"), "C").score == 0.0


def test_stated_answer_beats_mentions() -> None:
    response = "(A) fails and (B) fails. The answer is C."
    assert multiple_choice_math_reward(convo(response), "C").score == 1.0


def test_scores_and_metrics() -> None:
    right = multiple_choice_math_reward(convo("\\boxed{C}"), "(C)")
    assert right.score == 1.0
    assert right.metrics["answer_extraction"].reason == "boxed"
    wrong = multiple_choice_math_reward(convo("\\boxed{D}"), "C. 7")
    assert (wrong.score, wrong.is_score_valid) == (0.0, True)
    assert wrong.reason == "chose D (boxed); expected C"


def test_thinking_and_older_ground_truth_form() -> None:
    gold = [{"role": "assistant", "content": "C"}]
    response = "<think>maybe \\boxed{B}</think>The answer is (C)"
    assert multiple_choice_math_reward(convo(response), gold).score == 1.0


def test_options_limit_the_letters() -> None:
    assert choice("The answer is F", "ABCDE")[0] is None
    assert multiple_choice_math_reward(convo("The answer is F"), "F", options="ABCDEF").score == 1.0


@pytest.mark.parametrize(
    ("messages", "ground_truth", "fragment"),
    [
        ([], "C", "empty"),
        ([QUESTION], "C", "no assistant turn"),
        (convo("\\boxed{C}"), "7", "not one of the option letters"),
        (convo("\\boxed{C}"), None, "required"),
    ],
)
def test_bad_input_is_invalid(messages: list, ground_truth: object, fragment: str) -> None:
    result = multiple_choice_math_reward(messages, ground_truth)
    assert result.is_score_valid is False
    assert fragment in (result.error or "")


@pytest.mark.parametrize(
    "ground_truth",
    [
        "The answer is (C).",
        [{"role": "assistant", "content": "Comparing the signs, I think (C) is right."}],
    ],
)
def test_reference_solution_as_ground_truth(ground_truth: object) -> None:
    result = multiple_choice_math_reward(convo("So the answer is \\boxed{C}."), ground_truth)
    assert result.score == 1.0
    assert result.metrics["extracted_original_mcq"].reason == "reference option C"
    assert result.metrics["extracted_generated_mcq"].success
    wrong = multiple_choice_math_reward(convo("So the answer is \\boxed{D}."), ground_truth)
    assert wrong.is_score_valid and wrong.score == 0.0


def test_reference_that_commits_to_no_option_is_invalid() -> None:
    result = multiple_choice_math_reward(convo("\\boxed{C}"), "Either (A) or (C).")
    assert result.is_score_valid is False
