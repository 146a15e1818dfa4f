"""Tests of reward_kit.rewards.accuracy_length."""

from __future__ import annotations

from typing import Any

import pytest

from reward_kit.models import EvaluateResult
from reward_kit.rewards.accuracy_length import cosine_scaled_accuracy_length_reward
from reward_kit.typed_interface import reward_function
from tests.rewards.conversations import MALFORMED_CONVERSATIONS, reply


@reward_function(id="tests_exact_text_accuracy")
def exact_text(messages: list, ground_truth: Any = None, **kwargs: Any) -> EvaluateResult:
    """Correct when the whole response's last word equals the ground truth."""
    words = messages[-1].text.split()
    return EvaluateResult(
        score=float(bool(words) and words[-1] == ground_truth), reason="last word"
    )


@reward_function(id="tests_broken_accuracy")
def broken(messages: list, ground_truth: Any = None, **kwargs: Any) -> EvaluateResult:
    return EvaluateResult.invalid("reference unreadable")


def padded(answer: str, filler: int) -> list[dict[str, Any]]:
    return reply(" ".join(["hmm"] * filler + [answer]))


def score(messages: list, **options: Any) -> float:
    return cosine_scaled_accuracy_length_reward(
        messages, ground_truth="4", accuracy_fn=exact_text, max_length=100, **options
    ).score


def test_correct_beats_wrong_and_short_beats_long() -> None:
    short_right, long_right = score(padded("4", 5)), score(padded("4", 80))
    short_wrong, long_wrong = score(padded("5", 5)), score(padded("5", 80))
    assert short_right > long_right > long_wrong > short_wrong >= 0
    assert long_wrong < 0.1  # a wrong answer that shows its work is penalised less, but wrong


def test_kimi_style_negative_ranges_on_request() -> None:
    options = {"wrong_range": (-1.0, -0.5)}
    assert score(padded("5", 5), **options) < 0 and score(padded("5", 80), **options) < 0


def test_weights_and_metrics() -> None:
    result = cosine_scaled_accuracy_length_reward(
        padded("4", 0),
        ground_truth="4",
        accuracy_fn=exact_text,
        max_length=100,
        accuracy_weight=1.0,
        length_weight=0.0,
    )
    assert result.score == 1.0
    assert result.metrics["accuracy"].success is True
    assert result.metrics["length"].score == pytest.approx(1.0, abs=1e-3)


def test_accuracy_function_by_registered_name() -> None:
    assert score(padded("4", 1)) == pytest.approx(
        cosine_scaled_accuracy_length_reward(
            padded("4", 1),
            ground_truth="4",
            accuracy_fn="tests_exact_text_accuracy",
            max_length=100,
        ).score
    )


def test_default_accuracy_checks_math_answers() -> None:
    right = cosine_scaled_accuracy_length_reward(
        reply("So \\boxed{\\frac{1}{2}}"), ground_truth="0.5"
    )
    wrong = cosine_scaled_accuracy_length_reward(
        reply("So \\boxed{\\frac{1}{3}}"), ground_truth="0.5"
    )
    assert right.is_score_valid and right.metrics["accuracy"].score == 1.0
    assert right.score > 0.9 > 0.1 > wrong.score >= 0


def test_invalid_accuracy_makes_the_result_invalid() -> None:
    result = cosine_scaled_accuracy_length_reward(reply("4"), ground_truth="4", accuracy_fn=broken)
    assert not result.is_score_valid and "reference unreadable" in result.error


@pytest.mark.parametrize("accuracy_fn", ["no_such_reward_anywhere", 42])
def test_unknown_accuracy_function_is_invalid(accuracy_fn: Any) -> None:
    result = cosine_scaled_accuracy_length_reward(
        reply("4"), ground_truth="4", accuracy_fn=accuracy_fn
    )
    assert not result.is_score_valid and result.error


@pytest.mark.parametrize(
    "messages", MALFORMED_CONVERSATIONS.values(), ids=list(MALFORMED_CONVERSATIONS)
)
def test_no_response_is_invalid(messages: list) -> None:
    result = cosine_scaled_accuracy_length_reward(
        messages, ground_truth="4", accuracy_fn=exact_text
    )
    assert not result.is_score_valid
