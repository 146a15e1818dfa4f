"""Validating conversations given as dicts, with errors that say which message and field."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from reward_kit.errors import InvalidMessageError
from reward_kit.models import Message


def describe_validation_error(error: ValidationError, where: str) -> str:
    """The first problem of a pydantic error as ``where.field: message``."""
    first = error.errors()[0]
    message = str(first["msg"]).removeprefix("Value error, ")
    location = "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in first["loc"]
    )
    return f"{where}{location}: {message}"


def to_message(value: Any, where: str) -> Message:
    """Validate one message; ``where`` names it in the error (``messages[2]``)."""
    if isinstance(value, Message):
        return value
    if not isinstance(value, dict):
        raise InvalidMessageError(
            f"{where}: expected a message dict or Message, got {type(value).__name__}"
        )
    try:
        return Message.model_validate(value)
    except ValidationError as exc:
        raise InvalidMessageError(describe_validation_error(exc, where)) from None


def to_messages(values: Any, where: str = "messages") -> list[Message]:
    """Validate a conversation, naming the index and field of the first malformed message."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise InvalidMessageError(
            f"{where}: expected a list of messages, got {type(values).__name__}"
        )
    return [to_message(value, f"{where}[{index}]") for index, value in enumerate(values)]
