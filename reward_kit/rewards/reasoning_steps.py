"""Reasoning steps reward: does the response reason in enough explicit steps?"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from reward_kit.models import EvaluateResult, Message, MetricResult
from reward_kit.rewards._common import RewardInputError, response_text
from reward_kit.rewards._options import check_options
from reward_kit.typed_interface import reward_function

__all__ = [
    "DEFAULT_SEQUENCE_TERMS",
    "DEFAULT_STEP_PATTERN",
    "reasoning_steps_reward",
    "sequence_reward",
]

DEFAULT_SEQUENCE_TERMS = ("First", "Second", "Third", "Next", "Finally")

DEFAULT_STEP_PATTERN = (
    r"^\s*(?:"
    r"(?:step\s*\d+\s*[:.)-])"  # "Step 1:", "step 2."
    r"|(?:\d+\s*[.)])"  # "1." "2)"
    r"|(?:[-*\u2022]\s)"  # bullets
    r"|(?:(?:first|second|third|next|then|finally|lastly)\b\s*,?)"  # transition words
    r")"
)
"""A line that starts a step: "Step N:", "N." / "N)", a bullet, or first/next/then/finally."""

_WORD = re.compile(r"\w")

# The kinds of step reward-kit reports as metrics, by the marker a step line starts with.
_KINDS = {
    "explicit_steps": re.compile(r"^\s*step\s*\d", re.IGNORECASE),
    "numbered_lists": re.compile(r"^\s*\d+\s*[.)]"),
    "bullet_points": re.compile(r"^\s*[-*\u2022]\s"),
    "transition_phrases": re.compile(
        r"^\s*(?:first|second|third|next|then|finally|lastly)\b", re.IGNORECASE
    ),
}


def _steps(text: str, patterns: Sequence[re.Pattern[str]]) -> dict[str, str]:
    """Distinct step lines (normalised body -> line): a line that matches one of the
    patterns and says something after its marker."""
    seen: dict[str, str] = {}
    for line in text.splitlines():
        for pattern in patterns:
            match = pattern.search(line)
            if match is None:
                continue
            body = line[match.end() :].strip()
            if _WORD.search(body):  # a bare marker ("3.", "-") is not a step
                seen.setdefault(" ".join(body.lower().split()), line)
                break
    return seen


def _kind_metrics(lines: Sequence[str], min_steps: int) -> dict[str, MetricResult]:
    """Per-kind counts of the step lines, for the kinds present."""
    metrics = {}
    for name, marker in _KINDS.items():
        count = sum(1 for line in lines if marker.search(line))
        if count:
            metrics[name] = MetricResult(
                score=min(1.0, count / min_steps),
                reason=f"{count} step lines of this kind",
                success=count >= min_steps,
            )
    return metrics


@reward_function
@check_options
def reasoning_steps_reward(
    messages: list[Message],
    ground_truth: Any = None,
    min_steps: int = 3,
    max_steps: int | None = None,
    pattern: str | None = None,
    partial_credit: bool = False,
    exclusive_patterns: bool = False,
    **kwargs: Any,
) -> EvaluateResult:
    """Score 1.0 when the response has between ``min_steps`` and ``max_steps`` reasoning steps.

    A step is a line that begins with a step marker and has text after it; repeated lines count
    once, so padding the response with copies of one step earns nothing. Reasoning inside
    ``<think>`` counts.

    Args:
        messages: The conversation; its last assistant message is judged.
        ground_truth: Not used.
        min_steps: Fewest steps for full credit (at least 1).
        max_steps: Most steps for full credit; None for no upper bound.
        pattern: Regular expression of a step marker, searched in each line (case-insensitive);
            a line that matches it or :data:`DEFAULT_STEP_PATTERN` is a step.
        partial_credit: False (default): 0.0 outside the range. True: ``steps / min_steps``
            below the range and ``max_steps / steps`` above it.
        exclusive_patterns: True: only ``pattern`` marks a step (the default markers do not).

    Returns:
        Metrics ``reasoning_steps`` (the verdict), ``steps`` (the count), ``in_range``, and
        for the kinds of step present ``explicit_steps``, ``numbered_lists``,
        ``bullet_points``, ``transition_phrases``.
    """
    if min_steps < 1 or (max_steps is not None and max_steps < min_steps):
        return EvaluateResult.invalid(
            f"need 1 <= min_steps <= max_steps, got min_steps={min_steps}, max_steps={max_steps}"
        )
    try:
        sources = [pattern] if pattern else []
        if not (pattern and exclusive_patterns):
            sources.append(DEFAULT_STEP_PATTERN)
        compiled = [re.compile(source, re.IGNORECASE) for source in sources]
        text = response_text(messages, drop_thinking=False)
    except re.error as exc:
        return EvaluateResult.invalid(f"pattern is not a valid regular expression: {exc}")
    except RewardInputError as exc:
        return EvaluateResult.invalid(str(exc))
    steps = _steps(text, compiled)
    count = len(steps)
    bounds = f"{min_steps}..{max_steps if max_steps is not None else 'inf'}"
    if count < min_steps:
        score = count / min_steps if partial_credit else 0.0
        reason = f"{count} steps, fewer than {min_steps}"
    elif max_steps is not None and count > max_steps:
        score = max_steps / count if partial_credit else 0.0
        reason = f"{count} steps, more than {max_steps}"
    else:
        score = 1.0
        reason = f"{count} steps, within {bounds}"
    metrics = {
        "steps": MetricResult(score=float(count), reason=f"{count} distinct step lines"),
        "in_range": MetricResult(score=float(score == 1.0), reason=reason, success=score == 1.0),
        "reasoning_steps": MetricResult(score=score, reason=reason, success=score == 1.0),
        **_kind_metrics(list(steps.values()), min_steps),
    }
    return EvaluateResult(score=score, reason=reason, metrics=metrics)


def _in_order(text: str, terms: Sequence[str], case_sensitive: bool) -> list[str]:
    """The terms found as whole words, each after the one found before it."""
    flags = 0 if case_sensitive else re.IGNORECASE
    found, position = [], 0
    for term in terms:
        match = re.compile(rf"(?<!\w){re.escape(term)}(?!\w)", flags).search(text, position)
        if match is not None:
            found.append(term)
            position = match.end()
    return found


@reward_function
@check_options
def sequence_reward(
    messages: list[Message],
    ground_truth: Any = None,
    sequence_terms: Sequence[str] | None = None,
    min_matches: int = 3,
    case_sensitive: bool = False,
    partial_credit: bool = False,
    **kwargs: Any,
) -> EvaluateResult:
    """Score 1.0 when at least ``min_matches`` of the sequence terms appear in their order.

    Args:
        messages: The conversation; its last assistant message is judged (reasoning included).
        ground_truth: Not used.
        sequence_terms: The ordered terms (default :data:`DEFAULT_SEQUENCE_TERMS`); a term
            counts when it appears as a whole word after the previous term found.
        min_matches: Terms in order needed for full credit (at least 1).
        case_sensitive: Match the terms' case.
        partial_credit: True: ``found / min_matches`` below it.

    Returns:
        Metrics ``sequence`` (reward-kit: ``sequence_reasoning``, the same result) and
        ``sequential_terms_found`` (which terms were found).
    """
    terms = list(sequence_terms or DEFAULT_SEQUENCE_TERMS)
    if min_matches < 1:
        return EvaluateResult.invalid(f"min_matches must be at least 1, got {min_matches}")
    try:
        text = response_text(messages, drop_thinking=False)
    except RewardInputError as exc:
        return EvaluateResult.invalid(str(exc))
    found = _in_order(text, terms, case_sensitive)
    enough = len(found) >= min_matches
    score = 1.0 if enough else (len(found) / min_matches if partial_credit else 0.0)
    shown = ", ".join(found) or "none"
    reason = f"{len(found)} of {len(terms)} terms in order ({shown}); {min_matches} needed"
    metric = MetricResult(score=score, reason=reason, success=enough)
    found_metric = MetricResult(
        score=score, reason=f"terms found in order: {shown}", success=enough
    )
    metrics = {
        "sequence": metric,
        "sequence_reasoning": metric,
        "sequential_terms_found": found_metric,
    }
    return EvaluateResult(score=score, reason=reason, metrics=metrics)
