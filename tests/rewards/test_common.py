"""Helpers shared by the rewards."""

from __future__ import annotations

import pytest

from reward_kit.models import Message
from reward_kit.rewards._common import ground_truth_text, last_assistant_text, strip_think


def test_last_assistant_text() -> None:
    messages = [Message(role="user", content="q"), Message(role="assistant", content="a")]
    assert last_assistant_text(messages) == "a"
    with pytest.raises(ValueError, match="empty"):
        last_assistant_text([])
    with pytest.raises(ValueError, match="'user'"):
        last_assistant_text([{"role": "user", "content": "q"}])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<think>x</think>answer", "answer"),
        ("<THINK>a</THINK>b<think>c</think>d", "bd"),
        ("reasoning without an opening tag</think>answer", "answer"),
        ("answer<think>never closed", "answer"),
        ("plain", "plain"),
    ],
)
def test_strip_think(text: str, expected: str) -> None:
    assert strip_think(text) == expected


def test_ground_truth_text() -> None:
    assert ground_truth_text("42") == "42"
    assert ground_truth_text([{"role": "assistant", "content": "42"}]) == "42"
    assert ground_truth_text(Message(role="assistant", content="7")) == "7"
    with pytest.raises(ValueError, match="int"):
        ground_truth_text(42)
