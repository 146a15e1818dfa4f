"""Scoring a response's program against test cases: shared by the test-based code rewards
(``fractional_code_reward``, ``binary_code_reward``, APPS, DeepCoder).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reward_kit.models import EvaluateResult, Message, MetricResult
from reward_kit.rewards._code._extract import extract_code
from reward_kit.rewards._code._run import TestOutcome, executor_for, run_call_tests, run_io_tests
from reward_kit.rewards._code._tests import call_tests, io_tests
from reward_kit.rewards._common import response_text


def response_code(messages: Sequence[Message], language: str) -> str | None:
    """The program in the response (``<think>`` reasoning is skipped by the extraction)."""
    return extract_code(response_text(messages, drop_thinking=False), language)


def summarize(outcomes: list[TestOutcome], prefix: str = "test") -> EvaluateResult:
    """Score = passed / total over every test; per-test metrics; any sandbox error -> invalid."""
    broken = [o.sandbox_error for o in outcomes if o.sandbox_error]
    if broken:
        return EvaluateResult.invalid(
            f"sandbox error on {len(broken)} of {len(outcomes)} tests: {broken[0]}"
        )
    passed = sum(o.passed for o in outcomes)
    metrics = {
        f"{prefix}_{i}": MetricResult(score=float(o.passed), reason=o.reason, success=o.passed)
        for i, o in enumerate(outcomes)
    }
    rate = passed / len(outcomes)
    metrics["pass_rate"] = MetricResult(
        score=rate, reason=f"{passed}/{len(outcomes)} tests passed", success=rate == 1.0
    )
    return EvaluateResult(
        score=passed / len(outcomes),
        reason=f"{passed}/{len(outcomes)} tests passed",
        metrics=metrics,
    )


async def run_tests(
    messages: Sequence[Message],
    ground_truth: Any,
    language: str,
    timeout: float,
    environment: str,
    function_to_call: str | None,
    api_key: str | None = None,
    memory_mb: int = 256,
    float_tolerance: float | None = None,
) -> EvaluateResult:
    """Shared by the test-based rewards: extract, run every test, score passed/total."""
    try:
        code = response_code(messages, language)
        executor = executor_for(environment, api_key)
        if function_to_call:
            if language != "python" or environment != "local":
                raise ValueError("call-based tests run only for python with environment='local'")
            calls = call_tests(ground_truth)
        else:
            stdio = io_tests(ground_truth)
    except ValueError as error:
        return EvaluateResult.invalid(str(error))
    if code is None:
        return EvaluateResult(score=0.0, reason="no fenced code block in the response")
    if function_to_call:
        outcomes = await run_call_tests(
            executor, code, function_to_call, calls, timeout, memory_mb, float_tolerance
        )
    else:
        outcomes = await run_io_tests(
            executor, code, language, stdio, timeout, memory_mb, float_tolerance
        )
    result = summarize(outcomes)
    result.metrics["extracted_code"] = MetricResult(score=1.0, reason=code, success=True)
    return result
