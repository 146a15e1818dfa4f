"""Tests of reward_kit.rewards.format."""

from __future__ import annotations

import pytest

from reward_kit.errors import InvalidMessageError
from reward_kit.rewards.format import format_reward
from tests.rewards.conversations import MALFORMED_CONVERSATIONS, reply


@pytest.mark.parametrize(
    "text",
    [
        "<think>2+2 is 4</think><answer>4</answer>",
        "<think>\nadd them\n</think>\n\n<answer>\n4\n</answer>\n",
        "  <think>a</think> <answer>b</answer>  ",
    ],
)
def test_think_then_answer_passes(text: str) -> None:
    result = format_reward(reply(text))
    assert result.score == 1.0 and result.is_score_valid
    assert result.metrics["format"].success is True


def test_prefilled_think_is_restored() -> None:
    result = format_reward(reply("I add 2 and 2.\n</think>\n<answer>4</answer>"))
    assert result.score == 1.0
    assert result.metrics["prefilled_think"].score == 1.0


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("<answer>4</answer>", "<think> appears 0 times"),
        ("<think>x</think>", "<answer> appears 0 times"),
        ("<think>x</think><answer>4</answer><answer>5</answer>", "<answer> appears 2 times"),
        ("<think>x</think><think>y</think><answer>4</answer>", "appears 2 times"),
        ("<answer>4</answer><think>x</think>", "out of order"),
        ("Sure! <think>x</think><answer>4</answer>", "text outside"),
        ("<think>x</think><answer>4</answer> trailing words", "text outside"),
        ("<think>   </think><answer>4</answer>", "empty"),
        ("<think>x</think><answer></answer>", "empty"),
        ("<think>x<answer>4</answer></think><answer>4</answer>", "appears 2 times"),
    ],
)
def test_broken_formats_fail_with_the_reason(text: str, problem: str) -> None:
    result = format_reward(reply(text))
    assert result.score == 0.0 and result.is_score_valid
    assert problem in result.reason


def test_only_a_closing_think_and_nothing_else_is_not_a_format() -> None:
    assert format_reward(reply("</think><answer>4</answer>")).score == 0.0


def test_custom_regex_and_search_mode() -> None:
    text = "Result follows. ANSWER: 42"
    assert format_reward(reply(text), format_regex=r"ANSWER: \d+").score == 0.0
    assert (
        format_reward(reply(text), format_regex=r"ANSWER: \d+", require_exact_match=False).score
        == 1.0
    )


def test_invalid_regex_is_an_invalid_result() -> None:
    result = format_reward(reply("x"), format_regex="(")
    assert not result.is_score_valid and "format_regex" in result.error


@pytest.mark.parametrize(
    "messages", MALFORMED_CONVERSATIONS.values(), ids=list(MALFORMED_CONVERSATIONS)
)
def test_conversations_without_a_response_are_invalid(messages: list) -> None:
    result = format_reward(messages)
    assert not result.is_score_valid and result.error


def test_none_content_is_invalid_and_list_content_is_read() -> None:
    calls = [{"id": "1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]
    assert not format_reward(reply(None, tool_calls=calls)).is_score_valid
    parts = [
        {"type": "text", "text": "<think>a</think>"},
        {"type": "text", "text": "<answer>b</answer>"},
    ]
    assert format_reward(reply(parts)).score == 1.0


def test_malformed_message_raises_a_clear_error() -> None:
    with pytest.raises(InvalidMessageError, match=r"messages\[1\]"):
        format_reward([{"role": "user", "content": "q"}, {"role": "robot", "content": "x"}])


def test_scores_the_last_assistant_message() -> None:
    messages = [
        {"role": "user", "content": "q"},
        {"role": "assistant", "content": "<think>a</think><answer>b</answer>"},
        {"role": "user", "content": "again"},
        {"role": "assistant", "content": "no format"},
    ]
    assert format_reward(messages).score == 0.0
    assert format_reward(messages[:3]).score == 1.0
