"""Helpers shared by the built-in rewards: the response text, reasoning removal, ground truth."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from reward_kit.models import Message, message_text

_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)


def last_assistant_text(messages: Sequence[Message | dict[str, Any]]) -> str:
    """The text of the response being judged: the last message, which must be the assistant's.

    Raises:
        ValueError: if there are no messages or the last one is not from the assistant.
    """
    if not messages:
        raise ValueError("messages is empty: there is no response to evaluate")
    last = messages[-1]
    role = last.get("role") if isinstance(last, dict) else last.role
    if role != "assistant":
        raise ValueError(f"the last message must be the assistant's response, not {role!r}")
    return message_text(last)


def strip_think(text: str) -> str:
    """Remove ``<think>...</think>`` reasoning; with only a closing tag, keep what follows it."""
    text = _THINK.sub("", text)
    closing = text.lower().rfind("</think>")
    if closing != -1:
        text = text[closing + len("</think>") :]
    opening = text.lower().find("<think>")
    if opening != -1:  # unfinished reasoning: nothing after it is an answer
        text = text[:opening]
    return text


def ground_truth_text(ground_truth: Any) -> str:
    """Ground truth as text: a string, or the text of the last message of a message list."""
    if isinstance(ground_truth, str):
        return ground_truth
    if isinstance(ground_truth, Message | dict):
        return message_text(ground_truth)
    if isinstance(ground_truth, Sequence) and ground_truth:
        last = ground_truth[-1]
        if isinstance(last, Message | dict):
            return message_text(last)
    raise ValueError(
        f"ground_truth must be a string or a list of messages, got {type(ground_truth).__name__}"
    )
