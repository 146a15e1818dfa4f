"""Building conversations for reward tests."""

from __future__ import annotations

from typing import Any


def reply(content: Any, prompt: str = "Solve the problem.", **fields: Any) -> list[dict[str, Any]]:
    """A user prompt followed by an assistant message with ``content`` (and extra fields)."""
    return [
        {"role": "user", "content": prompt},
        {"role": "assistant", "content": content, **fields},
    ]


MALFORMED_CONVERSATIONS = {
    "empty": [],
    "no assistant turn": [{"role": "user", "content": "hi"}],
    "only a system prompt": [{"role": "system", "content": "be brief"}],
}
"""Conversations no reward can judge: each must give an invalid result, not a score."""
