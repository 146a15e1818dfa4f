"""Reward for APPS-format coding problems (standard-input programs or call-based functions)."""

from __future__ import annotations

import json
from typing import Any

from reward_kit.models import EvaluateResult, Message, MetricResult
from reward_kit.rewards._code._helpers import extract_code_blocks
from reward_kit.rewards._code._score import run_tests
from reward_kit.rewards._code._syntax import python_problem
from reward_kit.rewards._common import RewardInputError, response_text
from reward_kit.rewards._options import check_options
from reward_kit.typed_interface import reward_function

__all__ = ["evaluate_apps_solution"]


def _text(value: Any) -> str:
    return "\n".join(map(str, value)) if isinstance(value, list) else str(value)


def apps_tests(ground_truth: Any) -> tuple[list[dict[str, Any]], str | None]:
    """APPS ``{"inputs", "outputs", "fn_name"?}`` (a dict or its JSON) as test cases."""
    if isinstance(ground_truth, str):
        try:
            ground_truth = json.loads(ground_truth)
        except ValueError as error:
            raise ValueError(f"APPS ground_truth is not valid JSON: {error}") from error
    if not isinstance(ground_truth, dict) or not {"inputs", "outputs"} <= set(ground_truth):
        raise ValueError("APPS ground_truth must have 'inputs' and 'outputs'")
    inputs, outputs = ground_truth["inputs"], ground_truth["outputs"]
    if not isinstance(inputs, list) or not isinstance(outputs, list) or len(inputs) != len(outputs):
        raise ValueError("APPS 'inputs' and 'outputs' must be lists of the same length")
    function = ground_truth.get("fn_name")
    if function:
        # APPS often wraps a call's expected value in a one-element list.
        cases = [
            {
                "input": args if isinstance(args, list) else [args],
                "expected_output": out,
                "unwrap_single": True,
            }
            for args, out in zip(inputs, outputs, strict=True)
        ]
    else:
        cases = [
            {"input": _text(stdin), "expected_output": _text(out)}
            for stdin, out in zip(inputs, outputs, strict=True)
        ]
    return cases, function


@reward_function(id="evaluate_apps_solution")
@check_options
async def evaluate_apps_solution(
    messages: list[Message],
    ground_truth: Any,
    timeout: float = 10,
    parse_only: bool = False,
    **kwargs: Any,
) -> EvaluateResult:
    """Fraction of an APPS problem's tests that the response's Python code passes.

    Args:
        ground_truth: APPS ``input_output``: ``{"inputs": [...], "outputs": [...]}`` for
            standard-input problems, plus ``"fn_name"`` for call-based ones (each input is
            then the argument list). A JSON string of it is accepted.
        timeout: Seconds each test may run.
        parse_only: reward-kit's APPS example mode: 1.0 when the code (the last Python block,
            else the whole response) parses, without running it or reading the tests. Parsing
            says nothing about correctness; the default runs the tests.
    """
    if parse_only:
        return _parse_check(messages)
    try:
        cases, function = apps_tests(ground_truth)
    except ValueError as error:
        return EvaluateResult.invalid(str(error))
    return await run_tests(messages, cases, "python", timeout, "local", function)


def _parse_check(messages: list[Message]) -> EvaluateResult:
    try:
        text = response_text(messages)
    except RewardInputError as error:
        return EvaluateResult.invalid(str(error))
    blocks = extract_code_blocks(text, "python")
    code = blocks[-1]["code"] if blocks else text
    problem = python_problem(code)
    reason = "the code parses as Python (not run)" if problem is None else problem
    metric = MetricResult(score=float(problem is None), reason=reason, success=problem is None)
    return EvaluateResult(score=metric.score, reason=reason, metrics={"parsable": metric})
