"""The typed result of a chat completion, and reading one from a server's response body."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from reward_kit.llm._errors import LLMResponseError
from reward_kit.models import Message, message_text

__all__ = ["ChatResult", "Usage", "excerpt", "read_completion"]


class Usage(BaseModel):
    """Token counts the server reported (zeros when it reported none)."""

    model_config = ConfigDict(frozen=True)

    prompt_tokens: int = Field(default=0, description="Tokens in the prompt.")
    completion_tokens: int = Field(default=0, description="Tokens generated, over all choices.")
    total_tokens: int = Field(default=0, description="Prompt plus completion tokens.")

    @field_validator("prompt_tokens", "completion_tokens", "total_tokens", mode="before")
    @classmethod
    def _null_is_zero(cls, value: Any) -> Any:
        return 0 if value is None else value

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
        )


class ChatResult(BaseModel):
    """One chat completion: its choices as messages, plus where and how it was obtained."""

    model_config = ConfigDict(frozen=True)

    choices: list[Message] = Field(description="The assistant messages, one per choice (n).")
    finish_reasons: list[str | None] = Field(description="Why each choice stopped.")
    usage: Usage = Field(description="Token counts of the request.")
    model: str = Field(description="The model that answered, as the server named it.")
    id: str | None = Field(default=None, description="The completion id the server gave.")
    latency_s: float = Field(description="Seconds this call took, retries and waits included.")
    cached: bool = Field(description="True when the result came from the response cache.")
    attempts: int = Field(description="HTTP attempts made for this call (0 when cached).")

    @property
    def message(self) -> Message:
        """The first choice."""
        return self.choices[0]

    @property
    def text(self) -> str:
        """The text of the first choice (``""`` when it only calls tools)."""
        return message_text(self.choices[0])


def read_completion(data: Any, where: str, requested_model: str) -> dict[str, Any]:
    """The fields of a :class:`ChatResult` read from a decoded chat-completion body.

    ``requested_model`` stands in for the model name when the server reports none.

    Raises:
        LLMResponseError: the body is not shaped like a chat completion; the message says
            which part is wrong.
    """
    if not isinstance(data, dict):
        raise LLMResponseError(
            f"{where}: response is not a JSON object: {excerpt(json.dumps(data))}"
        )
    raw_choices = data.get("choices")
    if not isinstance(raw_choices, list) or not raw_choices:
        shown = excerpt(json.dumps(data))
        raise LLMResponseError(f"{where}: response has no 'choices' list: {shown}")
    choices: list[Message] = []
    finish_reasons: list[str | None] = []
    for index, choice in enumerate(sorted(raw_choices, key=_choice_index)):
        message = choice.get("message") if isinstance(choice, dict) else None
        if not isinstance(message, dict):
            raise LLMResponseError(f"{where}: choices[{index}] has no 'message' object")
        try:
            choices.append(Message.model_validate({"role": "assistant", **message}))
        except ValidationError as exc:
            raise LLMResponseError(f"{where}: choices[{index}].message is invalid: {exc}") from exc
        reason = choice.get("finish_reason")
        finish_reasons.append(reason if isinstance(reason, str) else None)
    usage = data.get("usage")
    try:
        parsed_usage = Usage.model_validate(usage) if isinstance(usage, dict) else Usage()
    except ValidationError as exc:
        raise LLMResponseError(f"{where}: response 'usage' is invalid: {exc}") from exc
    model = data.get("model")
    completion_id = data.get("id")
    return {
        "choices": choices,
        "finish_reasons": finish_reasons,
        "usage": parsed_usage,
        "model": model if isinstance(model, str) and model else requested_model,
        "id": completion_id if isinstance(completion_id, str) else None,
    }


def _choice_index(choice: Any) -> int:
    index = choice.get("index") if isinstance(choice, dict) else None
    return index if isinstance(index, int) else 0


def excerpt(body: bytes | str, limit: int = 200) -> str:
    """The start of a body, quoted, for error messages."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    return repr(text[:limit]) + (" ..." if len(text) > limit else "")
