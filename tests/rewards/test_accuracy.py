"""accuracy_reward: extract-and-compare with pluggable parts."""

import re

from reward_kit.rewards.accuracy import accuracy_reward, extract_final_answer

QUESTION = {"role": "user", "content": "Capital of France? Then 6 * 7?"}


def convo(response: str) -> list[dict]:
    return [QUESTION, {"role": "assistant", "content": response}]


def test_default_is_math_equivalence() -> None:
    assert accuracy_reward(convo("6 * 7 = 42, so \\boxed{42}"), "42").score == 1.0
    assert accuracy_reward(convo("\\boxed{41}"), "42").score == 0.0
    assert accuracy_reward(convo("\\boxed{0.5}"), "\\frac{1}{2}").score == 1.0


def test_default_extractor() -> None:
    assert extract_final_answer("so \\boxed{x+1}") == "x+1"
    assert extract_final_answer("nothing here") is None


def city(text: str) -> str | None:
    match = re.search(r"City:\s*(\w+)", text)
    return match.group(1) if match else None


def same_word(answer: str, reference: str) -> bool:
    return answer.casefold() == reference.casefold()


def test_pluggable_extract_and_compare() -> None:
    result = accuracy_reward(convo("City: paris"), "Paris", extract_fn=city, compare_fn=same_word)
    assert result.score == 1.0
    assert result.metrics["answer_extraction"].reason == "extracted 'paris'"


def test_no_substring_matching() -> None:
    # "Paris" is inside the response, but the extracted answer is another word.
    response = "Not Paris. City: Lyon"
    assert (
        accuracy_reward(convo(response), "Paris", extract_fn=city, compare_fn=same_word).score
        == 0.0
    )
    assert accuracy_reward(convo("The answer is 142"), "42").score == 0.0


def test_fractional_compare_scores() -> None:
    def overlap(answer: str, reference: str) -> float:
        return len(set(answer) & set(reference)) / len(set(reference))

    result = accuracy_reward(convo("City: Pari"), "Paris", extract_fn=city, compare_fn=overlap)
    assert result.score == 0.8


def test_nothing_extracted_is_a_valid_zero() -> None:
    result = accuracy_reward(convo("I refuse."), "Paris", extract_fn=city, compare_fn=same_word)
    assert (result.score, result.is_score_valid) == (0.0, True)


def test_failing_plugins_are_invalid_not_zero() -> None:
    def broken(text: str) -> str:
        raise RuntimeError("boom")

    result = accuracy_reward(convo("City: Paris"), "Paris", extract_fn=broken)
    assert result.is_score_valid is False
    assert "extract_fn failed: RuntimeError: boom" in (result.error or "")

    def nan_score(answer: str, reference: str) -> float:
        return float("nan")

    result = accuracy_reward(convo("City: Paris"), "Paris", extract_fn=city, compare_fn=nan_score)
    assert result.is_score_valid is False
    assert "finite" in (result.error or "")


def test_missing_response_is_invalid() -> None:
    result = accuracy_reward([QUESTION], "42")
    assert result.is_score_valid is False
    assert "no assistant turn" in (result.error or "")
