"""Tests of reward_kit.rewards.reasoning_steps."""

from __future__ import annotations

import pytest

from reward_kit.rewards.reasoning_steps import reasoning_steps_reward
from tests.rewards.conversations import MALFORMED_CONVERSATIONS, reply

STEPS = "Step 1: read the question.\nStep 2: add 2 and 2.\nStep 3: check the sum.\nSo 4."


@pytest.mark.parametrize(
    "text",
    [
        STEPS,
        "1. Read.\n2. Add the numbers.\n3) Check.",
        "- list facts\n- combine them\n* conclude",
        "First, read.\nNext, add.\nFinally, check.",
        "<think>\nStep 1: a\nStep 2: b\nStep 3: c\n</think>\n4",
    ],
)
def test_three_steps_pass(text: str) -> None:
    result = reasoning_steps_reward(reply(text))
    assert result.score == 1.0
    assert result.metrics["steps"].score == 3.0


def test_too_few_steps_is_zero_unless_partial_credit() -> None:
    text = "Step 1: add.\nStep 2: done."
    assert reasoning_steps_reward(reply(text)).score == 0.0
    assert reasoning_steps_reward(reply(text), partial_credit=True).score == pytest.approx(2 / 3)


def test_max_steps() -> None:
    text = "\n".join(f"Step {i}: thing {i}" for i in range(1, 9))
    assert reasoning_steps_reward(reply(text), max_steps=5).score == 0.0
    assert reasoning_steps_reward(reply(text), max_steps=5, partial_credit=True).score == 5 / 8
    assert reasoning_steps_reward(reply(text), max_steps=8).score == 1.0


def test_padding_does_not_count() -> None:
    repeated = "Step 1: add.\n" * 10
    assert reasoning_steps_reward(reply(repeated)).metrics["steps"].score == 1.0
    bare = "1.\n2.\n3.\n-\n- \nStep 4:"
    assert reasoning_steps_reward(reply(bare)).metrics["steps"].score == 0.0
    one_line = "Step 1: a Step 2: b Step 3: c"
    assert reasoning_steps_reward(reply(one_line)).score == 0.0


def test_custom_pattern() -> None:
    text = "=> a\n=> b\n=> c"
    assert reasoning_steps_reward(reply(text)).score == 0.0
    assert reasoning_steps_reward(reply(text), pattern=r"^=>").score == 1.0


@pytest.mark.parametrize(
    ("options", "word"),
    [
        ({"min_steps": 0}, "min_steps"),
        ({"min_steps": 3, "max_steps": 2}, "max_steps"),
        ({"pattern": "["}, "pattern"),
    ],
)
def test_bad_options_are_invalid(options: dict, word: str) -> None:
    result = reasoning_steps_reward(reply(STEPS), **options)
    assert not result.is_score_valid and word in result.error


@pytest.mark.parametrize(
    "messages", MALFORMED_CONVERSATIONS.values(), ids=list(MALFORMED_CONVERSATIONS)
)
def test_no_response_is_invalid(messages: list) -> None:
    assert not reasoning_steps_reward(messages).is_score_valid


def test_custom_pattern_adds_to_the_defaults_unless_exclusive() -> None:
    text = "=> a\nStep 2: b\n- c"
    assert reasoning_steps_reward(reply(text), pattern=r"^=>").score == 1.0
    exclusive = reasoning_steps_reward(reply(text), pattern=r"^=>", exclusive_patterns=True)
    assert exclusive.score == 0.0 and exclusive.metrics["steps"].score == 1.0


def test_step_kind_metrics() -> None:
    text = "Step 1: read.\nStep 2: add.\n1. check\n- note\nFinally, answer."
    metrics = reasoning_steps_reward(reply(text)).metrics
    assert metrics["explicit_steps"].reason.startswith("2 ")
    assert metrics["numbered_lists"].reason.startswith("1 ")
    assert metrics["bullet_points"].reason.startswith("1 ")
    assert metrics["transition_phrases"].reason.startswith("1 ")
    assert "explicit_steps" not in reasoning_steps_reward(reply("1. a\n2. b\n3. c")).metrics


def test_sequence_reward_metric_names() -> None:
    from reward_kit.rewards.reasoning_steps import sequence_reward

    result = sequence_reward(reply("First we read. Second we plan. Finally we act."))
    assert result.metrics["sequence_reasoning"].score == 1.0
    assert "First, Second, Finally" in result.metrics["sequential_terms_found"].reason
