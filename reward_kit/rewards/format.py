"""Format reward: does the response follow a required layout (by default think, then answer)?"""

from __future__ import annotations

import re
from typing import Any

from reward_kit.models import EvaluateResult, Message, MetricResult
from reward_kit.rewards._common import RewardInputError, response_text
from reward_kit.rewards._options import check_options
from reward_kit.rewards._text import restore_prefilled_think
from reward_kit.typed_interface import reward_function

__all__ = ["DEFAULT_FORMAT_REGEX", "format_reward"]

_NO_TAG = r"(?:(?!</?think>|</?answer>).)"
DEFAULT_FORMAT_REGEX = (
    rf"<think>(?P<think>{_NO_TAG}*)</think>\s*<answer>(?P<answer>{_NO_TAG}*)</answer>"
)
"""One ``<think>`` block, then one ``<answer>`` block, and no other tags.

With this default both blocks must also hold some text. The pattern has no nested
quantifiers, so matching takes linear time even on long adversarial responses.
"""

_TAGS = ("<think>", "</think>", "<answer>", "</answer>")


def _default_format_problem(text: str) -> str:
    """Say what is wrong with a response that does not fit the default format."""
    for tag in _TAGS:
        count = text.count(tag)
        if count != 1:
            return f"{tag} appears {count} times; expected exactly once"
    positions = [text.index(tag) for tag in _TAGS]
    if positions != sorted(positions):
        return "tags are out of order; expected <think>...</think> then <answer>...</answer>"
    if not text.startswith("<think>") or not text.endswith("</answer>"):
        return "text outside <think>...</think><answer>...</answer>"
    return "a <think> or <answer> block is empty"


@reward_function
@check_options
def format_reward(
    messages: list[Message],
    ground_truth: Any = None,
    format_regex: str = DEFAULT_FORMAT_REGEX,
    require_exact_match: bool = True,
    pattern: str | None = None,
    flags: int | None = None,
    **kwargs: Any,
) -> EvaluateResult:
    """Score 1.0 when the last assistant message matches ``format_regex``, else 0.0.

    The default asks for one non-empty ``<think>...</think>`` block followed by one non-empty
    ``<answer>...</answer>`` block and nothing else; extra or repeated tags fail. When a chat
    template prefilled ``<think>`` in the prompt, the response starts inside the reasoning, so
    a response with ``</think>`` but no ``<think>`` is read as if it began with one.

    Args:
        messages: The conversation; its last assistant message is judged.
        ground_truth: Not used (format does not depend on a reference).
        format_regex: The required format, matched with ``re.DOTALL``.
        require_exact_match: True: the whole response (surrounding whitespace aside) must
            match. False: the format may appear anywhere in the response.
        pattern: reward-kit's overview page's name for ``format_regex`` (wins when given).
        flags: ``re`` flags for the pattern; default ``re.DOTALL`` (``.`` crosses lines).
    """
    if pattern is not None:
        format_regex = pattern
    try:
        raw = response_text(messages, drop_thinking=False)
        compiled = re.compile(format_regex, re.DOTALL if flags is None else flags)
    except RewardInputError as exc:
        return EvaluateResult.invalid(str(exc))
    except re.error as exc:
        return EvaluateResult.invalid(f"format_regex is not a valid regular expression: {exc}")
    text = restore_prefilled_think(raw.strip())
    prefilled = text != raw.strip()
    match = compiled.fullmatch(text) if require_exact_match else compiled.search(text)
    if match and format_regex == DEFAULT_FORMAT_REGEX:
        match = match if match["think"].strip() and match["answer"].strip() else None
    if match:
        reason = "response matches the required format"
    elif format_regex == DEFAULT_FORMAT_REGEX:
        reason = _default_format_problem(text)
    else:
        how = "as a whole" if require_exact_match else "anywhere"
        reason = f"response does not match format_regex {how}"
    score = 1.0 if match else 0.0
    metrics = {
        "format": MetricResult(score=score, reason=reason, success=bool(match)),
        "format_check": MetricResult(score=score, reason=reason, success=bool(match)),
        "prefilled_think": MetricResult(
            score=float(prefilled),
            reason="<think> was prefilled by the prompt" if prefilled else "no prefilled <think>",
        ),
    }
    return EvaluateResult(score=score, reason=reason, metrics=metrics)
