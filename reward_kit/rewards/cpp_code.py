"""C and C++ code rewards: compile the response's program and run it against tests.

reward-kit sent C/C++ to a Piston server; here the program is compiled with the host's
``g++``/``gcc`` and run inside the local sandbox, like every other language (no network, no
secrets, bounded CPU, memory and processes). Importing this module registers the ``cpp`` and
``c`` languages with the executors.
"""

from __future__ import annotations

import warnings
from typing import Any

from reward_kit.execution.languages import Language, register_language
from reward_kit.models import EvaluateResult, Message, MetricResult
from reward_kit.rewards._code._score import run_tests
from reward_kit.rewards._options import check_options
from reward_kit.typed_interface import reward_function

__all__ = ["binary_cpp_code_reward", "ioi_cpp_code_reward"]


class _Compiled(Language):
    """A language compiled in the job's directory, then run; the time limit covers both."""

    compiler: str
    flags: tuple[str, ...]
    extra_address_space_mb = 2048  # the compiler's own processes reserve a lot

    def argv(self, executable: str, memory_mb: int) -> list[str] | None:
        flags = " ".join(self.flags)
        script = f'"$1" {flags} -o main {self.file_name} -lm && exec ./main'
        return ["/bin/sh", "-c", script, "compile-and-run", executable]


class _Cpp(_Compiled):
    name = "cpp"
    file_name = "main.cpp"
    executable = "g++"
    flags = ("-std=c++17", "-O2", "-pipe")


class _C(_Compiled):
    name = "c"
    file_name = "main.c"
    executable = "gcc"
    flags = ("-std=c11", "-O2", "-pipe")


register_language(_Cpp())
register_language(_C())


def _tests(ground_truth: Any, test_cases: Any, expected_output: str | None) -> Any:
    """``test_cases`` (reward-kit's keyword), else ``expected_output``, else the ground truth;
    one expected output (a string) is a test without input."""
    tests = test_cases if test_cases is not None else expected_output
    if tests is None:
        tests = ground_truth
    if isinstance(tests, str) and not tests.lstrip().startswith("["):
        return [{"input": "", "expected_output": tests}]
    return tests


def _not_used(version: str | None, piston_endpoint: str | None) -> None:
    if piston_endpoint is not None or version is not None:
        warnings.warn(
            "piston_endpoint and version are not used: the program is compiled by the host's "
            "g++/gcc and run in the local sandbox",
            UserWarning,
            stacklevel=4,
        )


@reward_function(id="ioi_cpp_code_reward")
@check_options
async def ioi_cpp_code_reward(
    messages: list[Message],
    ground_truth: Any = None,
    language: str = "cpp",
    version: str | None = None,
    timeout: int = 5000,
    memory_limit: int = 512_000_000,
    piston_endpoint: str | None = None,
    pass_threshold: float = 0.99,
    test_cases: list[dict[str, Any]] | None = None,
    expected_output: str | None = None,
    **kwargs: Any,
) -> EvaluateResult:
    """Share of tests a C/C++ program passes (IOI style), compiled and run in the sandbox.

    The program is the last fenced block tagged ``cpp`` (``c++``, ``cc``) or ``c``, else the last
    fenced block. Each test feeds ``input`` on stdin and compares stdout with the expected
    output exactly (surrounding whitespace aside). A program that does not compile fails every
    test (a valid 0); a missing compiler or a sandbox failure makes the result invalid.

    Args:
        messages: The conversation; its last assistant message holds the program.
        ground_truth: The tests, ``[{"input", "expected_output"}]``, or one expected output.
        language: ``"cpp"`` (C++17 with ``g++``) or ``"c"`` (C11 with ``gcc``).
        version: reward-kit's Piston compiler version; not used (the host's compiler is).
        timeout: Milliseconds per test, compilation included (reward-kit's unit).
        memory_limit: Bytes of memory per test (reward-kit's unit).
        piston_endpoint: Not used (warns): nothing is sent to a Piston server.
        pass_threshold: The pass rate at or above which ``test_results`` is a success.
        test_cases: The tests, as the overview page passes them (wins over ``ground_truth``).
        expected_output: One expected output of the program run without input.

    Returns:
        Metrics ``test_<i>`` per test, ``pass_rate``, ``test_results`` and ``extracted_code``.
    """
    _not_used(version, piston_endpoint)
    if language not in ("cpp", "c"):
        return EvaluateResult.invalid(f"language must be 'cpp' or 'c', got {language!r}")
    if timeout <= 0 or memory_limit <= 0:
        return EvaluateResult.invalid("timeout (ms) and memory_limit (bytes) must be positive")
    result = await run_tests(
        messages,
        _tests(ground_truth, test_cases, expected_output),
        language,
        timeout / 1000,
        "local",
        None,
        memory_mb=max(1, memory_limit // 1_000_000),
    )
    if result.is_score_valid and "pass_rate" in result.metrics:
        enough = result.score >= pass_threshold
        result.metrics["test_results"] = MetricResult(
            score=result.score,
            reason=f"{result.reason}; threshold {pass_threshold}",
            success=enough,
        )
    return result


@reward_function(id="binary_cpp_code_reward")
@check_options
async def binary_cpp_code_reward(
    messages: list[Message],
    ground_truth: Any = None,
    language: str = "cpp",
    version: str | None = None,
    timeout: int = 5000,
    memory_limit: int = 512_000_000,
    piston_endpoint: str | None = None,
    pass_threshold: float = 0.99,
    test_cases: list[dict[str, Any]] | None = None,
    expected_output: str | None = None,
    **kwargs: Any,
) -> EvaluateResult:
    """1.0 when the C/C++ program's pass rate reaches ``pass_threshold`` (every test, by
    default), else 0.0; options as :func:`ioi_cpp_code_reward`."""
    _not_used(version, piston_endpoint)
    result = await ioi_cpp_code_reward.acall(
        messages,
        ground_truth,
        language=language,
        timeout=timeout,
        memory_limit=memory_limit,
        pass_threshold=pass_threshold,
        test_cases=test_cases,
        expected_output=expected_output,
    )
    if not result.is_score_valid:
        return result
    passed = result.score >= pass_threshold
    metrics = {
        **result.metrics,
        "binary_result": MetricResult(
            score=float(passed), reason=f"pass rate {result.score:.2f}", success=passed
        ),
    }
    verdict = "reaches" if passed else "is below"
    reason = f"{result.reason}; {verdict} the threshold {pass_threshold}"
    return EvaluateResult(score=float(passed), reason=reason, metrics=metrics)
