"""Tests of reward_kit.rewards.length."""

from __future__ import annotations

import pytest

from reward_kit.rewards.length import cosine_length_reward, length_reward
from tests.rewards.conversations import MALFORMED_CONVERSATIONS, reply


def words(count: int) -> str:
    return " ".join(["word"] * count)


def test_target_length_linear_and_cosine() -> None:
    assert length_reward(reply(words(10)), target_length=10).score == 1.0
    assert length_reward(reply(words(5)), target_length=10).score == pytest.approx(0.5)
    assert length_reward(reply(words(15)), target_length=10).score == pytest.approx(0.5)
    assert length_reward(reply(words(20)), target_length=10).score == 0.0
    assert length_reward(reply(words(40)), target_length=10).score == 0.0
    cosine = length_reward(reply(words(8)), target_length=10, scaling="cosine").score
    linear = length_reward(reply(words(8)), target_length=10).score
    assert linear < cosine < 1.0


def test_band_between_min_and_max() -> None:
    options = {"min_length": 5, "max_length": 10}
    assert length_reward(reply(words(5)), **options).score == 1.0
    assert length_reward(reply(words(10)), **options).score == 1.0
    assert length_reward(reply(words(12)), **options).score == pytest.approx(0.8)
    assert length_reward(reply(""), **options).score == 0.0
    assert length_reward(reply(words(1000)), min_length=5).score == 1.0
    assert length_reward(reply(words(1)), max_length=5).score == 1.0


def test_negative_reward_range() -> None:
    options = {"target_length": 10, "reward_range": (-1.0, 0.0)}
    assert length_reward(reply(words(10)), **options).score == 0.0
    assert length_reward(reply(words(5)), **options).score == pytest.approx(-0.5)
    assert length_reward(reply(words(30)), **options).score == -1.0


def test_token_methods() -> None:
    text = "abc de"
    assert length_reward(reply(text), target_length=6, token_method="characters").score == 1.0
    assert (
        length_reward(reply(text), target_length=3, token_method="tokenizer", tokenizer=list).score
        == 0.0
    )
    assert (
        length_reward(reply(text), target_length=6, token_method="tokenizer", tokenizer=list).score
        == 1.0
    )


class EncodeTokenizer:
    """Looks like a Hugging Face tokenizer: encode() with add_special_tokens."""

    def encode(self, text: str, add_special_tokens: bool = True) -> list[int]:
        ids = [len(word) for word in text.split()]
        return ([101, *ids, 102]) if add_special_tokens else ids


class BatchEncodingTokenizer:
    def __call__(self, text: str) -> dict[str, list[int]]:
        return {"input_ids": [1] * len(text.split())}


@pytest.mark.parametrize(
    "tokenizer", [EncodeTokenizer(), BatchEncodingTokenizer(), lambda t: len(t.split())]
)
def test_tokenizer_shapes(tokenizer: object) -> None:
    result = length_reward(
        reply(words(4)), target_length=4, token_method="tokenizer", tokenizer=tokenizer
    )
    assert result.score == 1.0 and result.metrics["length"].score == 4.0


@pytest.mark.parametrize(
    ("options", "word"),
    [
        ({}, "target_length"),
        ({"target_length": 0}, "positive"),
        ({"target_length": 5, "max_length": 9}, "not both"),
        ({"min_length": 9, "max_length": 5}, "min_length"),
        ({"target_length": 5, "token_method": "bytes"}, "token_method"),
        ({"target_length": 5, "token_method": "tokenizer"}, "tokenizer="),
        ({"target_length": 5, "token_method": "tokenizer", "tokenizer": 3}, "callable"),
        ({"target_length": 5, "token_method": "tokenizer", "tokenizer": lambda t: True}, "bool"),
        (
            {
                "target_length": 5,
                "token_method": "tokenizer",
                "tokenizer": "/no/such/tokenizer-dir",
            },
            "tokenizer",
        ),
        ({"target_length": 5, "scaling": "log"}, "scaling"),
        ({"target_length": 5, "reward_range": (1.0, 0.0)}, "reward_range"),
        ({"target_length": 5, "reward_range": (0.0, float("inf"))}, "finite"),
        ({"target_length": 5, "reward_range": "ab"}, "reward_range"),
    ],
)
def test_bad_options_are_invalid(options: dict, word: str) -> None:
    result = length_reward(reply(words(3)), **options)
    assert not result.is_score_valid and word in result.error


def test_cosine_length_orders_short_correct_first_and_wrong_last() -> None:
    def score(count: int, correct: bool) -> float:
        return cosine_length_reward(reply(words(count)), correctness=correct, max_length=100).score

    assert score(0, True) == 1.0 and score(100, True) == 0.5 and score(500, True) == 0.5
    assert score(0, False) == 0.0 and score(500, False) == 0.3
    assert score(10, True) > score(60, True) > score(60, False) > score(10, False)


def test_cosine_length_custom_ranges_and_missing_correctness() -> None:
    result = cosine_length_reward(reply(words(0)), correctness=True, correct_range=(2.0, 3.0))
    assert result.score == 3.0
    assert not cosine_length_reward(reply("x")).is_score_valid
    assert not cosine_length_reward(reply("x"), correctness="yes").is_score_valid
    assert not cosine_length_reward(reply("x"), correctness=True, max_length=0).is_score_valid
    assert not cosine_length_reward(
        reply("x"), correctness=True, wrong_range=(0, -1)
    ).is_score_valid


@pytest.mark.parametrize(
    "messages", MALFORMED_CONVERSATIONS.values(), ids=list(MALFORMED_CONVERSATIONS)
)
def test_no_response_is_invalid(messages: list) -> None:
    assert not length_reward(messages, target_length=5).is_score_valid
    assert not cosine_length_reward(messages, correctness=True).is_score_valid


def test_real_hugging_face_tokenizers() -> None:
    tokenizers = pytest.importorskip("tokenizers")
    transformers = pytest.importorskip("transformers")
    raw = tokenizers.Tokenizer(tokenizers.models.WordPiece(unk_token="[UNK]"))
    raw.pre_tokenizer = tokenizers.pre_tokenizers.Whitespace()
    trainer = tokenizers.trainers.WordPieceTrainer(special_tokens=["[UNK]", "[CLS]"])
    raw.train_from_iterator(["the cat sat on the mat", "a dog ran"], trainer)
    fast = transformers.PreTrainedTokenizerFast(tokenizer_object=raw, unk_token="[UNK]")
    text = "the cat sat, the dog ran"
    expected = len(raw.encode(text).ids)
    for tokenizer in (raw, fast):
        result = length_reward(
            reply(text), target_length=expected, token_method="tokenizer", tokenizer=tokenizer
        )
        assert result.score == 1.0 and result.metrics["length"].score == expected


def test_length_reward_reports_token_count() -> None:
    result = length_reward(reply(words(7)), max_length=10)
    assert result.metrics["token_count"].score == 7.0


def test_cosine_length_wrong_answers_rise_with_length_as_in_reward_kit() -> None:
    def score(count: int, **options: object) -> float:
        return cosine_length_reward(reply(words(count)), max_length=100, **options).score

    # Defaults: correct 0.5..1.0 falling with length, wrong 0.0..0.3 rising with it.
    assert score(0, correctness=False) == 0.0 and score(100, correctness=False) == 0.3
    assert score(100, correctness=True) > score(100, correctness=False)
    assert score(10, is_correct=True) == score(10, correctness=True)
    assert score(10, is_correct=False, correctness=True) == score(10, correctness=False)
    assert score(100, correctness=False, min_value_wrong=-1.0, max_value_wrong=-0.5) == -0.5
