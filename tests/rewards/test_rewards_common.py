"""The helpers every reward shares: the response, reasoning removal, the plain ground truth."""

import pytest

from reward_kit.models import Message
from reward_kit.rewards._common import (
    RewardInputError,
    ground_truth_value,
    last_assistant_message,
    prompt_text,
    response_text,
    strip_think,
)

TOOL_CALL = {"id": "c1", "type": "function", "function": {"name": "calc", "arguments": "{}"}}


def test_response_is_the_last_assistant_message() -> None:
    messages = [
        {"role": "user", "content": "q1"},
        {"role": "assistant", "content": "first"},
        {"role": "user", "content": "q2"},
        Message(role="assistant", content="second"),
        {"role": "tool", "content": "tool output", "tool_call_id": "c1"},
    ]
    assert response_text(messages) == "second"
    assert prompt_text(messages) == "q1\nq2"


def test_content_parts_are_joined() -> None:
    parts = [
        {"type": "text", "text": "a"},
        {"type": "image_url", "image_url": {"url": "x"}},
        {"type": "text", "text": "b"},
    ]
    assert response_text([Message(role="assistant", content=parts)]) == "a\nb"


@pytest.mark.parametrize(
    ("messages", "fragment"),
    [
        ([], "empty"),
        (None, "empty"),
        ([{"role": "user", "content": "hi"}], "no assistant turn"),
        ([{"role": "assistant", "content": None, "tool_calls": [TOOL_CALL]}], "only calls tools"),
        ([{"role": "assistant", "content": None}], "content is None"),
    ],
)
def test_no_response_is_a_clear_error(messages: list | None, fragment: str) -> None:
    with pytest.raises(RewardInputError, match=fragment):
        response_text(messages)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<think>x = 5</think>The answer is 6", "The answer is 6"),
        ("<think>a</think> mid <think>b</think> end", "mid  end"),
        ("prefilled reasoning 5 </think> final 6", "final 6"),
        ("<THINK>a</THINK>b", "b"),
        ("final 6 <think>then reasoning cut off", "final 6"),
        ("no reasoning", "no reasoning"),
    ],
)
def test_strip_think(text: str, expected: str) -> None:
    assert strip_think(text) == expected


def test_thinking_kept_on_request() -> None:
    messages = [{"role": "assistant", "content": "<think>r</think>a"}]
    assert response_text(messages, drop_thinking=False) == "<think>r</think>a"


def test_ground_truth_plain_values_pass_through() -> None:
    assert ground_truth_value("42") == "42"
    assert ground_truth_value([1, 2]) == [1, 2]
    assert ground_truth_value({"a": 1}) == {"a": 1}


def test_ground_truth_older_message_form() -> None:
    old = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "The answer is 4"}]
    assert ground_truth_value(old) == "The answer is 4"
    assert ground_truth_value([Message(role="assistant", content="7")]) == "7"


def test_ground_truth_errors() -> None:
    with pytest.raises(RewardInputError, match="required"):
        ground_truth_value(None)
    with pytest.raises(RewardInputError, match="no assistant turn"):
        ground_truth_value([{"role": "user", "content": "q"}])
    with pytest.raises(RewardInputError):
        last_assistant_message([])
