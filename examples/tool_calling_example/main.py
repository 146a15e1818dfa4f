"""Exact tool-call matching: the response must call the expected tools with the expected arguments.

The ground truth is the list of expected calls, ``[{"name": ..., "arguments": {...}}]``. The
response's calls are compared in order; arguments are compared as parsed JSON, so key order and
whitespace do not matter, but a missing, extra or different value does. A response whose
arguments are not valid JSON gets 0 with the parse error as the reason. A ground truth that is
not a list of such calls cannot be scored, and says so.
"""

from __future__ import annotations

import json
from typing import Any

from reward_kit import EvaluateResult, Message, MetricResult, reward_function


def _expected_calls(ground_truth: Any) -> list[tuple[str, Any]]:
    if isinstance(ground_truth, str):
        ground_truth = json.loads(ground_truth)
    if not isinstance(ground_truth, list) or not all(
        isinstance(call, dict) and isinstance(call.get("name"), str) for call in ground_truth
    ):
        raise ValueError("ground_truth must be a list of {'name': ..., 'arguments': {...}}")
    return [(call["name"], call.get("arguments", {})) for call in ground_truth]


@reward_function
def evaluate(messages: list[Message], ground_truth: Any = None, **kwargs: Any) -> EvaluateResult:
    """1.0 when the calls match the expected ones exactly (names, order, arguments), else 0.0."""
    try:
        expected = _expected_calls(ground_truth)
    except (ValueError, json.JSONDecodeError) as exc:
        return EvaluateResult.invalid(f"bad ground_truth: {exc}")
    calls = messages[-1].tool_calls or []
    made: list[tuple[str, Any]] = []
    for call in calls:
        try:
            made.append((call.function.name, call.function.parsed_arguments()))
        except ValueError as exc:
            return EvaluateResult(score=0.0, reason=str(exc))
    names_match = [name for name, _ in made] == [name for name, _ in expected]
    exact = made == expected
    if exact:
        reason = f"called {[name for name, _ in made]} with the expected arguments"
    elif names_match:
        reason = "right tools, wrong arguments"
    else:
        reason = f"called {[name for name, _ in made]}, expected {[name for name, _ in expected]}"
    return EvaluateResult(
        score=1.0 if exact else 0.0,
        reason=reason,
        metrics={
            "tool_names": MetricResult(score=1.0 if names_match else 0.0, success=names_match),
            "arguments": MetricResult(score=1.0 if exact else 0.0, success=exact),
        },
    )
