"""Tests of reward_kit.rewards.repetition."""

from __future__ import annotations

import pytest

from reward_kit.rewards.repetition import diversity_reward, repetition_penalty_reward
from tests.rewards.conversations import MALFORMED_CONVERSATIONS, reply

VARIED = "The quick brown fox jumps over the lazy dog while a cat watches from the fence."


def test_no_repetition_scores_one() -> None:
    result = repetition_penalty_reward(reply(VARIED))
    assert result.score == 1.0 and result.metrics["repetition"].score == 0.0


def test_looping_text_is_penalised_up_to_max_penalty() -> None:
    loop = "I think so. " * 50
    half = repetition_penalty_reward(reply(loop)).score
    full = repetition_penalty_reward(reply(loop), max_penalty=1.0).score
    assert 0.5 <= half < 0.52 and 0.0 <= full < 0.04
    assert repetition_penalty_reward(reply(loop), max_penalty=0.0).score == 1.0


def test_repetition_is_case_insensitive_and_counts_cjk_characters() -> None:
    assert repetition_penalty_reward(reply("Go go GO go go go"), ngram_size=2).score < 1.0
    chinese = "我们再算一次" * 10
    assert repetition_penalty_reward(reply(chinese)).metrics["repetition"].score > 0.8


def test_short_response_has_no_ngrams() -> None:
    result = repetition_penalty_reward(reply("yes"))
    assert result.score == 1.0 and "fewer than 3 words" in result.reason


@pytest.mark.parametrize(
    ("options", "word"),
    [
        ({"ngram_size": 0}, "ngram_size"),
        ({"max_penalty": -1}, "max_penalty"),
        ({"max_penalty": float("nan")}, "max_penalty"),
    ],
)
def test_bad_repetition_options(options: dict, word: str) -> None:
    result = repetition_penalty_reward(reply(VARIED), **options)
    assert not result.is_score_valid and word in result.error


def test_diversity_of_varied_and_repetitive_text() -> None:
    assert diversity_reward(reply(VARIED)).score > 0.9
    assert diversity_reward(reply("same words " * 30)).score < 0.1


def test_diversity_short_answers_cannot_claim_full_marks() -> None:
    result = diversity_reward(reply("Yes"))
    assert result.score == pytest.approx(0.2)  # only the unigram ratio (weight 0.2) is 1
    assert result.metrics["distinct_2"].reason == "too short"
    assert diversity_reward(reply("")).score == 0.0


def test_diversity_weights() -> None:
    text = "a b a b a b"
    only_unigrams = diversity_reward(reply(text), ngram_sizes=[1], weights=[1.0]).score
    assert only_unigrams == pytest.approx(2 / 6)
    weighted = diversity_reward(reply(text), ngram_sizes=[1, 2], weights=[3, 1]).score
    assert weighted == pytest.approx((3 * 2 / 6 + 1 * 2 / 5) / 4)


@pytest.mark.parametrize(
    "options",
    [
        {"ngram_sizes": []},
        {"ngram_sizes": [0]},
        {"weights": [1.0]},
        {"weights": [0, 0, 0]},
        {"weights": [1, -1, 1]},
    ],
)
def test_bad_diversity_options(options: dict) -> None:
    assert not diversity_reward(reply(VARIED), **options).is_score_valid


@pytest.mark.parametrize(
    "messages", MALFORMED_CONVERSATIONS.values(), ids=list(MALFORMED_CONVERSATIONS)
)
def test_no_response_is_invalid(messages: list) -> None:
    assert not repetition_penalty_reward(messages).is_score_valid
    assert not diversity_reward(messages).is_score_valid


def test_reward_kit_default_weights_and_metric_names() -> None:
    text = "the cat sat on the mat the cat sat on the mat"
    result = diversity_reward(reply(text))
    ratios = [result.metrics[f"ngram_{n}"].score for n in (1, 2, 3)]
    assert ratios == [result.metrics[f"distinct_{n}"].score for n in (1, 2, 3)]
    assert result.score == pytest.approx(0.2 * ratios[0] + 0.3 * ratios[1] + 0.5 * ratios[2])
    four = diversity_reward(reply(text), ngram_sizes=[1, 2, 3, 4])
    assert four.score == pytest.approx(
        sum(four.metrics[f"ngram_{n}"].score for n in range(1, 5)) / 4
    )
    penalty = repetition_penalty_reward(reply(text), max_penalty=0.5)
    assert penalty.metrics["unique_ngram_ratio"].score == pytest.approx(0.6)
    assert penalty.metrics["repetition_penalty"].score == penalty.score == pytest.approx(0.8)
