"""Our types to the chat-completions JSON."""

from __future__ import annotations

from typing import Any

from reward_kit._messages import to_messages
from reward_kit._types import MessagesLike
from reward_kit.errors import InvalidMessageError


def messages_to_wire(messages: MessagesLike) -> list[dict[str, Any]]:
    """Messages as the JSON the API takes; dicts are validated so mistakes surface here."""
    wire = [message.to_openai() for message in to_messages(messages)]
    if not wire:
        raise InvalidMessageError("messages is empty: a chat request needs at least one message")
    return wire
