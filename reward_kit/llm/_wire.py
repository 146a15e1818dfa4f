"""Our types to the chat-completions JSON, and error messages out of a server's replies."""

from __future__ import annotations

import json
from typing import Any

import httpx

from reward_kit._messages import to_messages
from reward_kit._types import MessagesLike
from reward_kit.errors import InvalidMessageError
from reward_kit.llm._result import excerpt


def messages_to_wire(messages: MessagesLike) -> list[dict[str, Any]]:
    """Messages as the JSON the API takes; dicts are validated so mistakes surface here."""
    wire = [message.to_openai() for message in to_messages(messages)]
    if not wire:
        raise InvalidMessageError("messages is empty: a chat request needs at least one message")
    return wire


def server_error_message(response: httpx.Response) -> str:
    """The error message a server put in its body, in any of the usual shapes."""
    try:
        data = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return excerpt(response.content) if response.content else "(empty body)"
    if isinstance(data, dict):
        error = data.get("error", data.get("detail", data.get("message")))
        if isinstance(error, dict):
            error = error.get("message", error)
        if error is not None:
            return error if isinstance(error, str) else json.dumps(error)
    return excerpt(response.content)
