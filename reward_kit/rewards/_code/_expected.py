"""The expected output of a program: given, or stated in the prompt ("Expected output: 15")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from reward_kit._types import MessageLike
from reward_kit.models import message_text
from reward_kit.rewards._common import RewardInputError, ground_truth_value, prompt_text

_STATED = re.compile(
    r"(?:expected\s+output|should\s+(?:output|print|return)|the\s+output\s+(?:is|should\s+be))"
    r"(?:\s+is|\s+should\s+be)?\s*[:=]?\s*",
    re.IGNORECASE,
)
# The stated value ends at a parenthesised remark, the end of the line or of the sentence.
_VALUE = re.compile(r"`([^`\n]+)`|\"([^\"\n]+)\"|([^\s(][^\n(]*?)(?=\s*\(|\.\s|\.?$|\n)")


def stated_expected_output(text: str) -> str | None:
    """The output a prompt states ("the expected output is 15", "Expected output: 15 (...)")."""
    for match in reversed(list(_STATED.finditer(text))):
        value = _VALUE.match(text, match.end())
        if value is not None:
            found = next(group for group in value.groups() if group is not None).strip()
            if found:
                return found
    return None


def expected_output(
    ground_truth: Any,
    given: str | None,
    original_messages: Sequence[MessageLike] | None,
    messages: Sequence[MessageLike],
) -> tuple[str | None, str]:
    """The expected stdout and where it came from, in this order: ``expected_output=``, the
    ground truth, the prompt (``original_messages`` or the messages before the response).

    Raises:
        RewardInputError: the expected output given is not a string.
    """
    if given is not None:
        if not isinstance(given, str):
            raise RewardInputError(f"expected_output must be a string, got {type(given).__name__}")
        return given, "expected_output"
    if ground_truth is not None:
        value = ground_truth_value(ground_truth)
        if not isinstance(value, str):
            raise RewardInputError(
                f"ground_truth must be the expected output as a string, got {type(value).__name__}"
            )
        return value, "ground_truth"
    prompt = (
        "\n".join(message_text(m) for m in original_messages)
        if original_messages
        else prompt_text(messages)
    )
    stated = stated_expected_output(prompt)
    return (stated, "prompt") if stated is not None else (None, "")
