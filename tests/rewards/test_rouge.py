"""Tests of reward_kit.rewards.rouge."""

from __future__ import annotations

import pytest

from reward_kit.rewards._rouge import rouge_scorer
from reward_kit.rewards.rouge import bullet_recall_reward, rouge_reward
from tests.rewards.conversations import MALFORMED_CONVERSATIONS, reply

REFERENCE = "The cat sat on the mat and looked at the garden."


def test_identical_text_scores_one_and_unrelated_text_zero() -> None:
    assert rouge_reward(reply(REFERENCE), ground_truth=REFERENCE).score == pytest.approx(1.0)
    assert (
        rouge_reward(reply("Quantum chromodynamics explains quarks."), ground_truth=REFERENCE).score
        == 0.0
    )


def test_types_measures_and_metrics() -> None:
    response = "The cat sat on the mat."
    result = rouge_reward(reply(response), ground_truth=REFERENCE, rouge_type="rouge1")
    assert result.metrics["precision"].score == 1.0
    assert result.metrics["recall"].score < 1.0
    assert result.score == result.metrics["fmeasure"].score
    recall = rouge_reward(
        reply(response), ground_truth=REFERENCE, rouge_type="rouge2", measure="recall"
    )
    assert 0 < recall.score < 1


def test_stemming_and_reasoning() -> None:
    stemmed = rouge_reward(reply("cats sitting"), ground_truth="cat sits", rouge_type="rouge1")
    plain = rouge_reward(
        reply("cats sitting"), ground_truth="cat sits", rouge_type="rouge1", use_stemmer=False
    )
    assert stemmed.score == 1.0 and plain.score == 0.0
    hidden = reply(f"<think>{REFERENCE}</think>Nothing relevant.")
    assert rouge_reward(hidden, ground_truth=REFERENCE).score == 0.0


def test_non_latin_text_is_tokenised_by_unicode_words() -> None:
    result = rouge_reward(
        reply("猫坐在垫子上"), ground_truth="猫坐在垫子上看花园", rouge_type="rouge1"
    )
    assert 0.5 < result.score < 1.0 and "Unicode" in result.reason


def test_scorer_is_built_once() -> None:
    rouge_reward(reply("a"), ground_truth="a")
    rouge_reward(reply("b"), ground_truth="b")
    assert rouge_scorer.cache_info().hits >= 1


def test_ground_truth_as_messages() -> None:
    reference = [
        {"role": "user", "content": "summarise"},
        {"role": "assistant", "content": REFERENCE},
    ]
    assert rouge_reward(reply(REFERENCE), ground_truth=reference).score == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("options", "word"),
    [
        ({"ground_truth": None}, "required"),
        ({"ground_truth": "   "}, "empty"),
        ({"ground_truth": {"text": "x"}}, "reference text"),
        ({"ground_truth": "x", "rouge_type": "rougeX"}, "rouge_type"),
        ({"ground_truth": "x", "measure": "f1"}, "measure"),
    ],
)
def test_bad_inputs_are_invalid(options: dict, word: str) -> None:
    result = rouge_reward(reply("x"), **options)
    assert not result.is_score_valid and word in result.error


def test_key_fact_recall() -> None:
    facts = [
        "Paris is the capital of France",
        "Paris has about two million people",
        "The Seine flows through Paris",
    ]
    response = "The capital of France is Paris, home to about two million people."
    result = bullet_recall_reward(reply(response), ground_truth=facts)
    assert result.score == pytest.approx(2 / 3)
    assert result.metrics["fact_2"].success is False
    bulleted = (
        "- Paris is the capital of France\n"
        "* Paris has about two million people\n"
        "3. The Seine flows through Paris"
    )
    assert bullet_recall_reward(reply(response), ground_truth=bulleted).score == pytest.approx(
        2 / 3
    )
    assert bullet_recall_reward(reply(response), ground_truth=facts, threshold=0.4).score == 1.0


def test_key_fact_recall_cannot_be_gamed_by_one_fact_repeated() -> None:
    response = "Paris is the capital of France. " * 20
    facts = ["Paris is the capital of France", "The Seine flows through Paris"]
    assert bullet_recall_reward(reply(response), ground_truth=facts).score == 0.5


@pytest.mark.parametrize(
    ("ground_truth", "threshold"),
    [(None, 0.8), ([], 0.8), ([1, 2], 0.8), ("fact", 0.0), ("fact", 1.5)],
)
def test_bad_key_facts_are_invalid(ground_truth: object, threshold: float) -> None:
    assert not bullet_recall_reward(
        reply("x"), ground_truth=ground_truth, threshold=threshold
    ).is_score_valid


@pytest.mark.parametrize(
    "messages", MALFORMED_CONVERSATIONS.values(), ids=list(MALFORMED_CONVERSATIONS)
)
def test_no_response_is_invalid(messages: list) -> None:
    assert not rouge_reward(messages, ground_truth=REFERENCE).is_score_valid
    assert not bullet_recall_reward(messages, ground_truth=[REFERENCE]).is_score_valid
