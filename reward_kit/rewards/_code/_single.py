"""Run one program and judge its output: the core of the local and E2B execution rewards."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reward_kit.execution._base import Executor
from reward_kit.execution._result import ExecutionResult
from reward_kit.models import EvaluateResult, Message, MetricResult
from reward_kit.rewards._code._compare import outputs_match, partial_output_score
from reward_kit.rewards._code._expected import expected_output
from reward_kit.rewards._code._extract import extract_code
from reward_kit.rewards._code._files import FileCheckError, FileChecks
from reward_kit.rewards._code._run import describe
from reward_kit.rewards._common import RewardInputError, response_text


@dataclass(frozen=True)
class RunOptions:
    """How to run and judge one program."""

    language: str
    timeout: float
    memory_mb: int
    float_tolerance: float | None = None
    partial_credit: bool = False


async def run_single(
    messages: Sequence[Message],
    ground_truth: Any,
    given_expected: str | None,
    original_messages: Sequence[Message] | None,
    options: RunOptions,
    executor: Executor,
    checks: FileChecks | None = None,
) -> EvaluateResult:
    """Extract the program, run it sandboxed, compare its stdout with the expected output.

    Metrics: ``extracted_code``, ``expected_output`` (when known), ``execution_result`` and
    ``output_match`` (when there is an expected output); with ``checks``, also ``files``,
    ``file_operations``, ``expected_insights``, ``has_plot`` and ``file_check`` as asked for,
    and the score is multiplied by each of their shares.
    """
    try:
        code = extract_code(response_text(messages, drop_thinking=False), options.language)
        expected, source = expected_output(
            ground_truth, given_expected, original_messages, messages
        )
    except (RewardInputError, ValueError) as error:
        return EvaluateResult.invalid(str(error))
    if code is None:
        reason = "no fenced code block in the response"
        metrics = {"extracted_code": MetricResult(score=0.0, reason=reason, success=False)}
        return EvaluateResult(score=0.0, reason=reason, metrics=metrics)
    metrics = {"extracted_code": MetricResult(score=1.0, reason=code, success=True)}
    if expected is not None:
        metrics["expected_output"] = MetricResult(score=1.0, reason=f"{expected} (from {source})")
    try:
        result = await executor.arun(
            code,
            options.language,
            None,
            options.timeout,
            options.memory_mb,
            dict(checks.inputs) if checks else None,
            checks.collect() if checks else None,
        )
    except ValueError as error:  # an unsupported language
        return EvaluateResult.invalid(str(error))
    if result.status == "sandbox_error":
        failure = f"sandbox error: {result.error}"
        return EvaluateResult(score=0.0, is_score_valid=False, error=failure, metrics=metrics)
    ran = result.status == "ok"
    ran_reason = f"ran successfully; stdout: {result.stdout[:500]!r}" if ran else describe(result)
    metrics["execution_result"] = MetricResult(score=float(ran), reason=ran_reason, success=ran)
    if not ran:
        score, reason = 0.0, ran_reason
        if expected is not None:
            metrics["output_match"] = MetricResult(
                score=0.0, reason="the program failed", success=False
            )
    elif expected is None:
        score, reason = 1.0, ran_reason
    else:
        score, reason = _judge_output(result, expected, options, metrics)
    if checks is not None:
        try:
            share, file_metrics = await checks.judge(result)
        except FileCheckError as error:
            return EvaluateResult(
                score=0.0, is_score_valid=False, error=str(error), metrics=metrics
            )
        metrics.update(file_metrics)
        if ran and share < 1.0:
            failed = [k for k, m in file_metrics.items() if k != "files" and m.score < 1.0]
            reason = f"{reason}; file checks not all passed ({', '.join(failed)}: {share:.2f})"
        score *= share
    return EvaluateResult(score=score, reason=reason, metrics=metrics)


def _judge_output(
    result: ExecutionResult,
    expected: str,
    options: RunOptions,
    metrics: dict[str, MetricResult],
) -> tuple[float, str]:
    """The output's score and reason; records ``output_match``."""
    if outputs_match(result.stdout, expected, options.float_tolerance):
        score = 1.0
    elif options.partial_credit:
        score = partial_output_score(result.stdout, expected, options.float_tolerance)
    else:
        score = 0.0
    reason = (
        "output matches the expected output"
        if score == 1.0
        else f"output {result.stdout[:200]!r} differs from the expected {expected[:200]!r}"
        + (f" (partial credit {score:.2f})" if options.partial_credit else "")
    )
    metrics["output_match"] = MetricResult(score=score, reason=reason, success=score == 1.0)
    return score, reason
