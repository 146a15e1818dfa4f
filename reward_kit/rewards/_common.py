"""Helpers every built-in reward needs: the response to judge and the plain ground truth."""

from __future__ import annotations

import re
import sys
import types
from collections.abc import Callable, Sequence
from typing import Any

from reward_kit._types import MessageLike
from reward_kit.errors import RewardKitError
from reward_kit.models import Message, message_text

__all__ = [
    "RewardInputError",
    "callable_module",
    "ground_truth_value",
    "last_assistant_message",
    "prompt_text",
    "response_text",
    "strip_think",
]

_THINK_TAG = re.compile(r"(</?think>)", re.IGNORECASE)


class RewardInputError(RewardKitError, ValueError):
    """The conversation or ground truth cannot be scored (no response, no reference...).

    Rewards turn it into ``EvaluateResult.invalid(str(error))``: bad input is not a score of 0.
    """


def _role(message: MessageLike) -> str | None:
    role = message.role if isinstance(message, Message) else message.get("role")
    return role if isinstance(role, str) else None


def _is_message(value: Any) -> bool:
    return isinstance(value, Message) or (isinstance(value, dict) and "role" in value)


def last_assistant_message(messages: Sequence[MessageLike] | None) -> MessageLike:
    """The last assistant message of a conversation (the response being judged).

    Raises:
        RewardInputError: the conversation is empty or has no assistant message.
    """
    if not messages:
        raise RewardInputError("messages is empty: there is no response to score")
    for message in reversed(messages):
        if _is_message(message) and _role(message) == "assistant":
            return message
    roles = ", ".join(str(_role(m)) if _is_message(m) else type(m).__name__ for m in messages)
    raise RewardInputError(f"messages has no assistant turn to score (roles: {roles})")


def strip_think(text: str) -> str:
    """Drop reasoning: `<think>...</think>` blocks, and everything before an unmatched `</think>`.

    Chat templates that prefill `<think>` leave only the closing tag in the response. An
    unclosed `<think>` (reasoning cut off) drops the rest of the text: it holds no answer.
    One pass over the tags, so thousands of unclosed tags cost linear time, not quadratic.
    """
    kept: list[str] = []
    inside = False
    for part in _THINK_TAG.split(text):
        tag = part.lower()
        if tag == "<think>":
            inside = True  # a <think> inside a block belongs to that block
        elif tag == "</think>":
            if not inside:
                kept = []  # a stray close ends reasoning that began before the response
            inside = False
        elif not inside:
            kept.append(part)
    return "".join(kept).strip()


def response_text(messages: Sequence[MessageLike] | None, *, drop_thinking: bool = True) -> str:
    """Text of the last assistant message, reasoning removed unless `drop_thinking=False`.

    Raises:
        RewardInputError: no assistant message, or it has no text (only tool calls, or None).
    """
    message = last_assistant_message(messages)
    content = message.content if isinstance(message, Message) else message.get("content")
    if content is None:
        calls = message.tool_calls if isinstance(message, Message) else message.get("tool_calls")
        what = "it only calls tools" if calls else "its content is None"
        raise RewardInputError(f"the last assistant message has no text to score ({what})")
    text = message_text(message)
    return strip_think(text) if drop_thinking else text


def prompt_text(messages: Sequence[MessageLike] | None) -> str:
    """Text of the user messages before the response (the question), joined by newlines."""
    if not messages:
        return ""
    items = list(messages)
    end = max(
        (i for i, m in enumerate(items) if _is_message(m) and _role(m) == "assistant"),
        default=len(items),
    )
    return "\n".join(message_text(m) for m in items[:end] if _is_message(m) and _role(m) == "user")


def ground_truth_value(ground_truth: Any) -> Any:
    """The plain reference value of a ground truth.

    reward-kit's older form, a list of messages whose last assistant message holds the
    reference, gives that message's text; any other value is returned unchanged.

    Raises:
        RewardInputError: the ground truth is None, or a message list without an assistant turn.
    """
    if ground_truth is None:
        raise RewardInputError("ground_truth is required and was not given")
    if (
        isinstance(ground_truth, (list, tuple))
        and ground_truth
        and all(_is_message(item) for item in ground_truth)
    ):
        try:
            message = last_assistant_message(ground_truth)
        except RewardInputError as exc:
            raise RewardInputError(f"ground_truth given as messages: {exc}") from None
        return message_text(message)
    return ground_truth


def callable_module(module_name: str, reward: Callable[..., Any]) -> None:
    """Make a module named like its reward callable as that reward.

    ``reward_kit.rewards.multiple_choice_math_reward`` is both a module and the reward in it.
    Once the module is imported, Python sets the package attribute of that name to the module,
    so ``from reward_kit.rewards import multiple_choice_math_reward`` would give the module;
    calling it must still score.
    """

    class _RewardModule(types.ModuleType):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            return reward(*args, **kwargs)

        def __getattr__(self, name: str) -> Any:
            return getattr(reward, name)  # acall, deploy, ... of the reward

    sys.modules[module_name].__class__ = _RewardModule
