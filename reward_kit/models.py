"""The data models every part of reward-kit speaks: messages, results and the wire request.

Messages have the OpenAI chat shape, so the dicts the OpenAI SDK produces validate as they are
and dump back to the same dicts. Results are what a reward function returns; they also support
read access like a dict (``result["score"]``), which reward-kit users rely on.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from reward_kit._wire_values import wire_type

__all__ = [
    "EvaluateResult",
    "EvaluationRequest",
    "FunctionCall",
    "Message",
    "MetricResult",
    "StepOutput",
    "ToolCall",
    "message_text",
]

Role = Literal["system", "developer", "user", "assistant", "tool"]
_ROLES_NEEDING_CONTENT = frozenset({"system", "developer", "user", "tool"})


class _DictReadable(BaseModel):
    """Read access by key (``obj["score"]``, ``obj.get``, ``in``) on top of attribute access."""

    def __getitem__(self, key: str) -> Any:
        if key not in self:
            raise KeyError(key)
        return getattr(self, key)

    def __contains__(self, key: object) -> bool:
        extra = self.__pydantic_extra__ or {}
        return isinstance(key, str) and (key in type(self).model_fields or key in extra)

    def get(self, key: str, default: Any = None) -> Any:
        """Return the field ``key``, or ``default`` when the model has no such field."""
        return getattr(self, key) if key in self else default

    def keys(self) -> Iterator[str]:
        """Names of the fields, as ``dict.keys`` would give them."""
        yield from type(self).model_fields
        yield from self.__pydantic_extra__ or {}


class _PositionalArgs(_DictReadable):
    """Also takes the documented leading fields positionally, as reward-kit's tutorials do.

    ``MetricResult(0.5, True, "why")`` is ``MetricResult(score=0.5, is_score_valid=True,
    reason="why")`` and ``EvaluateResult(1.0, "why", {...})`` is ``EvaluateResult(score=1.0,
    reason="why", metrics={...})``.
    """

    _positional: ClassVar[tuple[str, ...]] = ()

    def __init__(self, /, *args: Any, **data: Any) -> None:
        cls = type(self).__name__
        if len(args) > len(self._positional):
            raise TypeError(
                f"{cls} takes at most {len(self._positional)} positional arguments "
                f"({', '.join(self._positional)}), got {len(args)}"
            )
        for name, value in zip(self._positional, args, strict=False):
            if name in data:
                raise TypeError(f"{cls} got {name!r} both by position and by keyword")
            data[name] = value
        super().__init__(**data)


def _finite(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{what} must be a number, got {type(value).__name__} {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{what} must be a finite number, got {number}")
    return number


class FunctionCall(_DictReadable):
    """A function the model asks to call: its name and its arguments as a JSON string."""

    name: str = Field(description="Name of the function to call.")
    arguments: str = Field(
        default="{}",
        description="Arguments as JSON text; a dict or list is serialised on input.",
    )

    @field_validator("arguments", mode="before")
    @classmethod
    def _serialise_arguments(cls, value: Any) -> Any:
        if isinstance(value, (dict, list)):
            return json.dumps(value, ensure_ascii=False)
        if value is None:
            return "{}"
        return value

    def parsed_arguments(self) -> Any:
        """The arguments decoded from JSON; raises ``ValueError`` when they are not valid JSON."""
        try:
            return json.loads(self.arguments)
        except json.JSONDecodeError as exc:
            raise ValueError(f"arguments of {self.name!r} are not valid JSON: {exc}") from exc


class ToolCall(_DictReadable):
    """One tool call of an assistant message, in OpenAI's shape."""

    id: str | None = Field(default=None, description="Call id that a tool message answers.")
    type: Literal["function"] = Field(default="function", description="Always 'function'.")
    function: FunctionCall = Field(description="The function and its arguments.")


class Message(_DictReadable):
    """One chat message in OpenAI's format.

    ``content`` is a string, ``None`` (an assistant turn that only calls tools) or a list of
    content parts such as ``{"type": "text", "text": "..."}``. Unknown keys that providers add
    (``refusal``, ``annotations``...) are kept, so dumping gives back the dict that came in.
    """

    model_config = ConfigDict(extra="allow")

    role: Role = Field(description="Who speaks: system, developer, user, assistant or tool.")
    content: str | list[dict[str, Any]] | None = Field(
        default=None, description="Text, a list of content parts, or None."
    )
    name: str | None = Field(default=None, description="Optional name of the speaker.")
    tool_call_id: str | None = Field(default=None, description="For tool messages: the call id.")
    tool_calls: list[ToolCall] | None = Field(
        default=None, description="For assistant messages: the tools it calls."
    )
    function_call: FunctionCall | None = Field(
        default=None, description="Legacy single function call (pre-tools OpenAI API)."
    )
    reasoning_content: str | None = Field(
        default=None, description="Reasoning text that some providers return apart."
    )

    @field_validator("content")
    @classmethod
    def _check_parts(cls, value: Any) -> Any:
        if isinstance(value, list):
            for index, part in enumerate(value):
                if not isinstance(part.get("type"), str):
                    raise ValueError(f"content part {index} has no 'type'")
                if part["type"] == "text" and not isinstance(part.get("text"), str):
                    raise ValueError(f"text content part {index} has no string 'text'")
        return value

    @model_validator(mode="after")
    def _check_content_present(self) -> Message:
        if self.role in _ROLES_NEEDING_CONTENT and self.content is None:
            raise ValueError(f"a {self.role} message needs 'content'")
        return self

    @property
    def text(self) -> str:
        """The message's text whatever the content shape (see :func:`message_text`)."""
        return message_text(self)

    def to_openai(self) -> dict[str, Any]:
        """The message as the dict the OpenAI API takes (unset optional fields left out)."""
        return self.model_dump(exclude_none=True)


def message_text(message: Message | dict[str, Any]) -> str:
    """Return the text of a message, whatever the shape of its content.

    Args:
        message: A ``Message`` or a message dict. String content is returned as is, ``None``
            gives ``""``, and a list of content parts gives its text parts joined by newlines
            (images and other non-text parts are skipped).
    """
    content = message.content if isinstance(message, Message) else message.get("content")
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    texts = [part.get("text", "") for part in content if part.get("type") == "text"]
    return "\n".join(text for text in texts if isinstance(text, str))


@wire_type
class MetricResult(_PositionalArgs):
    """The score of one named aspect of a response (a component of an ``EvaluateResult``).

    Positional order: ``score, is_score_valid, reason``.
    """

    _positional = ("score", "is_score_valid", "reason")

    score: float = Field(description="Finite score of this metric.")
    reason: str = Field(default="", description="Why the metric got this score.")
    is_score_valid: bool = Field(default=True, description="False when it could not be scored.")
    success: bool | None = Field(default=None, description="Pass/fail verdict, where one applies.")

    @field_validator("score", mode="before")
    @classmethod
    def _finite_score(cls, value: Any) -> float:
        return _finite(value, "MetricResult.score")


@wire_type
class StepOutput(_DictReadable):
    """The reward of one step of a multi-step (agentic) rollout."""

    step_index: int | str = Field(description="Which step: its index or a label.")
    base_reward: float = Field(description="Finite reward of this step.")
    metrics: dict[str, Any] = Field(default_factory=dict, description="Any per-step details.")
    reason: str | None = Field(default=None, description="Why the step got this reward.")

    @field_validator("base_reward", mode="before")
    @classmethod
    def _finite_reward(cls, value: Any) -> float:
        return _finite(value, "StepOutput.base_reward")


@wire_type
class EvaluateResult(_PositionalArgs):
    """What a reward function returns for one response.

    A result that carries an ``error`` and does not set ``is_score_valid`` is invalid: "could not
    evaluate" is never the same thing as a score of 0 for a wrong answer. Positional order:
    ``score, reason, metrics``.
    """

    _positional = ("score", "reason", "metrics")

    score: float = Field(description="Finite overall score; any sign (RL rewards may be negative).")
    reason: str | None = Field(default=None, description="Why the response got this score.")
    is_score_valid: bool = Field(
        default=True, description="False when the function could not evaluate the response."
    )
    metrics: dict[str, MetricResult] = Field(
        default_factory=dict, description="Scores of the named components."
    )
    step_outputs: list[StepOutput] | None = Field(
        default=None, description="Per-step rewards for multi-step rollouts."
    )
    error: str | None = Field(default=None, description="What went wrong, when evaluation failed.")

    @field_validator("score", mode="before")
    @classmethod
    def _finite_score(cls, value: Any) -> float:
        return _finite(value, "EvaluateResult.score")

    @model_validator(mode="after")
    def _error_means_invalid(self) -> EvaluateResult:
        if self.error is not None and "is_score_valid" not in self.model_fields_set:
            self.is_score_valid = False
        return self

    @classmethod
    def invalid(cls, error: str, *, reason: str | None = None) -> EvaluateResult:
        """A result for a response that could not be evaluated (score 0, not valid)."""
        return cls(score=0.0, is_score_valid=False, error=error, reason=reason or error)


_DEPRECATED_ALIASES = {"RewardOutput": "EvaluateResult", "MetricRewardOutput": "MetricResult"}


def __getattr__(name: str) -> Any:
    """reward-kit's old result names, still used by its tutorials, with a deprecation warning."""
    if name in _DEPRECATED_ALIASES:
        import warnings

        current = _DEPRECATED_ALIASES[name]
        warnings.warn(f"{name} is deprecated: use {current}", DeprecationWarning, stacklevel=2)
        return globals()[current]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class EvaluationRequest(BaseModel):
    """The one wire format for evaluating a response over HTTP.

    Used by remote ``RewardFunction`` calls, ``reward-kit serve``, deployed evaluators and
    ``reward-kit preview --remote-url``.
    """

    model_config = ConfigDict(extra="forbid")

    messages: list[Message] = Field(min_length=1, description="The conversation; last is judged.")
    ground_truth: Any = Field(default=None, description="Reference answer, any JSON value.")
    tools: list[dict[str, Any]] | None = Field(default=None, description="Tools offered, if any.")
    kwargs: dict[str, Any] = Field(
        default_factory=dict, description="Extra keyword arguments for the reward function."
    )
