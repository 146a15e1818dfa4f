"""Helpers for unit tests of rewards: conversations in one line, score checks that explain."""

from __future__ import annotations

import math

from reward_kit.models import EvaluateResult

__all__ = ["assert_score", "build_messages"]


def build_messages(*turns: str, system: str | None = None) -> list[dict[str, str]]:
    """A conversation from alternating user and assistant turns (the last is the response).

    Example: ``build_messages("What is 2+2?", "4")`` is a user question and its answer.
    """
    messages = [{"role": "system", "content": system}] if system is not None else []
    roles = ("user", "assistant")
    messages += [{"role": roles[index % 2], "content": text} for index, text in enumerate(turns)]
    return messages


def _explain(result: EvaluateResult) -> str:
    lines = [
        f"  score: {result.score!r} (valid: {result.is_score_valid})",
        f"  reason: {result.reason}",
    ]
    if result.error:
        lines.append(f"  error: {result.error}")
    for name, metric in result.metrics.items():
        lines.append(f"  metric {name}: {metric.score!r} ({metric.reason})")
    return "\n".join(lines)


def assert_score(
    result: EvaluateResult,
    expected: float | None = None,
    *,
    at_least: float | None = None,
    at_most: float | None = None,
    tolerance: float = 1e-9,
    valid: bool = True,
) -> None:
    """Check a reward's result; on failure the message shows its reason, error and metrics.

    Args:
        result: What the reward returned.
        expected: The exact score expected (within ``tolerance``).
        at_least: The lowest score accepted.
        at_most: The highest score accepted.
        tolerance: Absolute tolerance of ``expected``.
        valid: Whether the result should be a valid score (False: the reward should say it
            could not evaluate, as for malformed input).
    """
    problems = []
    if result.is_score_valid != valid:
        problems.append("expected a valid score" if valid else "expected an invalid result")
    close = expected is None or math.isclose(result.score, expected, abs_tol=tolerance)
    if valid and not close:
        problems.append(f"expected score {expected!r}")
    if valid and at_least is not None and result.score < at_least:
        problems.append(f"expected a score of at least {at_least!r}")
    if valid and at_most is not None and result.score > at_most:
        problems.append(f"expected a score of at most {at_most!r}")
    if problems:
        raise AssertionError("; ".join(problems) + ", got:\n" + _explain(result))
