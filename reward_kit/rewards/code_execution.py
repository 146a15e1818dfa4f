"""Rewards that run the code in a response: against expected output, tests, or HumanEval checks.

The code is the last fenced block of the response (a block tagged with the language first),
ignoring ``<think>`` reasoning. It runs in a sandbox (:class:`~reward_kit.execution.LocalExecutor`
by default, or E2B); the verdict is decided here, from its output and exit status. Output
comparison is strict: only trailing whitespace per line and line-ending style are forgiven,
numbers get a tolerance only when ``float_tolerance`` is given, and partial credit (for list
elements or lines exactly right) only with ``partial_credit=True``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from reward_kit.execution._base import Executor
from reward_kit.models import EvaluateResult, Message, MetricResult
from reward_kit.rewards._code._extract import defines_function
from reward_kit.rewards._code._files import FileCheck, FileCheckError, FileChecks
from reward_kit.rewards._code._helpers import (
    compare_outputs,
    execute_code_with_e2b,
    execute_javascript_code,
    execute_python_code,
    extract_code_blocks,
)
from reward_kit.rewards._code._run import (
    TestOutcome,
    executor_for,
    run_humaneval,
)
from reward_kit.rewards._code._score import response_code, run_tests
from reward_kit.rewards._code._single import RunOptions, run_single
from reward_kit.rewards._options import check_options
from reward_kit.typed_interface import reward_function

__all__ = [
    "binary_code_reward",
    "compare_outputs",
    "e2b_code_execution_reward",
    "execute_code_with_e2b",
    "execute_javascript_code",
    "execute_python_code",
    "extract_code_blocks",
    "fractional_code_reward",
    "humaneval_check_reward",
    "local_code_execution_reward",
]


def _verdict(outcome: TestOutcome, metric: str) -> EvaluateResult:
    """1.0 for a passed check, 0.0 for a failed one, invalid when the sandbox itself failed."""
    if outcome.sandbox_error:
        return EvaluateResult.invalid(f"sandbox error: {outcome.sandbox_error}")
    result = MetricResult(
        score=float(outcome.passed), reason=outcome.reason, success=outcome.passed
    )
    return EvaluateResult(
        score=float(outcome.passed), reason=outcome.reason, metrics={metric: result}
    )


@reward_function(id="local_code_execution_reward")
@check_options
async def local_code_execution_reward(
    messages: list[Message],
    ground_truth: Any = None,
    language: str = "python",
    timeout: float = 5,
    max_memory_mb: int = 256,
    float_tolerance: float | None = None,
    expected_output: str | None = None,
    original_messages: list[Message] | None = None,
    partial_credit: bool = False,
    file_operations: Sequence[Mapping[str, Any]] | None = None,
    expected_files: Mapping[str, str | bytes] | None = None,
    expected_insights: Sequence[str] | None = None,
    expect_plot: bool = False,
    check_files: FileCheck | None = None,
    input_files: Mapping[str, str | bytes] | None = None,
    dataset_path: str | None = None,
    collect_files: Sequence[str] | None = None,
    **kwargs: Any,
) -> EvaluateResult:
    """Run the response's code locally (sandboxed); 1.0 if it prints the expected output.

    The expected output is ``expected_output``, else ``ground_truth``, else the one the prompt
    states ("Expected output: 15", "the expected output is 15"). Without any, the score is 1.0
    when the program exits with status 0.

    Args:
        ground_truth: expected stdout (a string, or a message list whose last message holds it).
        language: ``"python"`` or ``"javascript"`` (``"js"``).
        timeout: seconds before the program is killed (counts as a failure).
        max_memory_mb: memory limit for the program.
        float_tolerance: compare numbers in the output with this tolerance.
        expected_output: reward-kit's name for the expected stdout (wins over ``ground_truth``).
        original_messages: the prompt to read a stated expected output from (default: the
            messages before the response).
        partial_credit: give the share of list elements or lines that are exactly right
            instead of 0 for a wrong output.
        file_operations: files the program must write, reward-kit's "file-based" evaluation:
            ``{"path": "out.txt", "type": "create", "content": "..."}`` (content compared like
            output) or ``{"path": ..., "type": "exists"}``; the score is multiplied by the
            share that hold (metric ``file_operations``).
        expected_files: ``{path: content}``, the same as ``create`` operations.
        expected_insights: texts the output must contain (case-insensitive), reward-kit's
            "data analysis" evaluation; multiplies the score by the share found.
        expect_plot: the program must save a PNG image (metric ``has_plot``).
        check_files: your own check, called on the host with the collected files
            (``{path: bytes}``); returns a bool or a score in [0, 1] that multiplies the score.
        input_files: ``{path: content}`` placed in the program's working directory.
        dataset_path: a local file given to the program as ``dataset.csv``.
        collect_files: glob patterns of the files ``check_files`` gets (default: all).

    Returns:
        Metrics ``extracted_code``, ``expected_output``, ``execution_result``, ``output_match``;
        with file options also ``files`` (what came back and what was skipped, and why),
        ``file_operations``, ``expected_insights``, ``has_plot``, ``file_check``.
    """
    options = RunOptions(language, timeout, max_memory_mb, float_tolerance, partial_credit)
    return await _run_with_files(
        messages, ground_truth, expected_output, original_messages, options,
        executor_for("local"), file_operations, expected_files, expected_insights, expect_plot,
        check_files, input_files, dataset_path, collect_files,
    )  # fmt: skip


@reward_function(id="e2b_code_execution_reward")
@check_options
async def e2b_code_execution_reward(
    messages: list[Message],
    ground_truth: Any = None,
    language: str = "python",
    timeout: float = 30,
    api_key: str | None = None,
    float_tolerance: float | None = None,
    expected_output: str | None = None,
    original_messages: list[Message] | None = None,
    partial_credit: bool = False,
    file_operations: Sequence[Mapping[str, Any]] | None = None,
    expected_files: Mapping[str, str | bytes] | None = None,
    expected_insights: Sequence[str] | None = None,
    expect_plot: bool = False,
    check_files: FileCheck | None = None,
    input_files: Mapping[str, str | bytes] | None = None,
    dataset_path: str | None = None,
    collect_files: Sequence[str] | None = None,
    **kwargs: Any,
) -> EvaluateResult:
    """Like :func:`local_code_execution_reward`, but runs the code in an E2B sandbox.

    Args:
        api_key: E2B API key (default: ``E2B_API_KEY``). Without one the sample is reported
            as not evaluated.
    """
    if not (api_key or os.environ.get("E2B_API_KEY")):
        return EvaluateResult.invalid("no E2B API key: pass api_key= or set E2B_API_KEY")
    options = RunOptions(language, timeout, 256, float_tolerance, partial_credit)
    return await _run_with_files(
        messages, ground_truth, expected_output, original_messages, options,
        executor_for("e2b", api_key), file_operations, expected_files, expected_insights,
        expect_plot, check_files, input_files, dataset_path, collect_files,
    )  # fmt: skip


async def _run_with_files(
    messages: list[Message],
    ground_truth: Any,
    expected_output: str | None,
    original_messages: list[Message] | None,
    options: RunOptions,
    executor: Executor,
    *file_options: Any,
) -> EvaluateResult:
    """Run one response on ``executor`` and judge it, file options (in ``FileChecks.from_options``
    order) included; bad file options make the sample not evaluated."""
    try:
        checks = FileChecks.from_options(*file_options)
    except (FileCheckError, OSError) as error:
        return EvaluateResult.invalid(str(error))
    return await run_single(
        messages, ground_truth, expected_output, original_messages, options, executor, checks
    )


async def _fraction(
    messages: list[Message],
    ground_truth: Any,
    test_cases: list[dict[str, Any]] | None,
    language: str,
    timeout: float,
    environment: str,
    function_to_call: str | None,
    api_key: str | None,
    float_tolerance: float | None,
    expected_output: str | None = None,
) -> EvaluateResult:
    """Tests from ``test_cases``, else ``expected_output`` (one output, no input), else the
    ground truth (a list of tests, or one output as a string)."""
    tests = test_cases if test_cases is not None else expected_output
    if tests is None:
        tests = ground_truth
    if isinstance(tests, str) and not tests.lstrip().startswith("["):
        options = RunOptions(language, timeout, 256, float_tolerance, partial_credit=False)
        try:
            executor = executor_for(environment, api_key)
        except ValueError as error:
            return EvaluateResult.invalid(str(error))
        return await run_single(messages, tests, None, None, options, executor)
    return await run_tests(
        messages,
        tests,
        language,
        timeout,
        environment,
        function_to_call,
        api_key,
        float_tolerance=float_tolerance,
    )


@reward_function(id="fractional_code_reward")
@check_options
async def fractional_code_reward(
    messages: list[Message],
    ground_truth: Any = None,
    language: str = "python",
    timeout: float = 5,
    environment: str = "local",
    function_to_call: str | None = None,
    api_key: str | None = None,
    float_tolerance: float | None = None,
    test_cases: list[dict[str, Any]] | None = None,
    expected_output: str | None = None,
    **kwargs: Any,
) -> EvaluateResult:
    """Fraction of tests passed, over ALL tests (a crash or timeout is a failed test).

    Args:
        ground_truth: a list of ``{"input", "expected_output"}``, or one expected output as a
            string. Without ``function_to_call`` each input is stdin and the expected output
            is stdout. With it, each input is the call's arguments (a list of positional
            arguments, or a string with one JSON argument per line) and the expected output
            is the return value.
        environment: ``"local"`` (sandboxed here) or ``"e2b"``.
        function_to_call: name of the function to test (call-based tests).
        test_cases: the tests, as reward-kit's keyword (wins over ``ground_truth``).
        expected_output: the expected standard output of the program run without input, as
            reward-kit's overview page passes it (wins over ``ground_truth``).

    Returns:
        Per-test metrics ``test_<i>`` and ``pass_rate``.
    """
    return await _fraction(
        messages,
        ground_truth,
        test_cases,
        language,
        timeout,
        environment,
        function_to_call,
        api_key,
        float_tolerance,
        expected_output,
    )


@reward_function(id="binary_code_reward")
@check_options
async def binary_code_reward(
    messages: list[Message],
    ground_truth: Any = None,
    language: str = "python",
    timeout: float = 5,
    environment: str = "local",
    function_to_call: str | None = None,
    api_key: str | None = None,
    float_tolerance: float | None = None,
    test_cases: list[dict[str, Any]] | None = None,
    threshold: float = 0.99,
    expected_output: str | None = None,
    **kwargs: Any,
) -> EvaluateResult:
    """1.0 when the pass rate of :func:`fractional_code_reward` exceeds ``threshold``, else 0.0.

    Args:
        threshold: the pass rate that must be exceeded (default 0.99: every test).
        expected_output: one expected standard output (see :func:`fractional_code_reward`).
    """
    result = await _fraction(
        messages,
        ground_truth,
        test_cases,
        language,
        timeout,
        environment,
        function_to_call,
        api_key,
        float_tolerance,
        expected_output,
    )
    if not result.is_score_valid:
        return result
    passed = result.score > threshold
    metrics = {
        **result.metrics,
        "binary_result": MetricResult(
            score=float(passed), reason=f"pass rate {result.score:.2f}", success=passed
        ),
    }
    reason = f"{result.reason}; {'above' if passed else 'not above'} the threshold {threshold}"
    return EvaluateResult(score=float(passed), reason=reason, metrics=metrics)


@reward_function(id="humaneval_check_reward")
@check_options
async def humaneval_check_reward(
    messages: list[Message],
    ground_truth: dict[str, str],
    timeout: float = 10,
    **kwargs: Any,
) -> EvaluateResult:
    """1.0 if the response passes a HumanEval-style problem's ``check``, else 0.0.

    If the extracted code defines ``entry_point`` it is used as is (after the prompt, so the
    prompt's imports and helpers exist); otherwise it is taken as the continuation of
    ``prompt``. The test's ``check`` runs in a separate process from the candidate, which
    may only return plain data, so the candidate cannot tamper with the checks.

    Args:
        ground_truth: ``{"prompt", "test", "entry_point"}`` as in the HumanEval data set.
    """
    try:
        if not isinstance(ground_truth, dict) or not {"prompt", "test", "entry_point"} <= set(
            ground_truth
        ):
            raise ValueError("ground_truth must be a dict with 'prompt', 'test', 'entry_point'")
        code = response_code(messages, "python")
    except ValueError as error:
        return EvaluateResult.invalid(str(error))
    if code is None:
        return EvaluateResult(score=0.0, reason="no fenced code block in the response")
    prompt, entry_point = ground_truth["prompt"], ground_truth["entry_point"]
    source = prompt + "\n\n" + code if defines_function(code, entry_point) else prompt + code
    outcome = await run_humaneval(executor_for("local"), source, ground_truth, timeout, 256)
    return _verdict(outcome, "humaneval")
