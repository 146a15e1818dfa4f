"""Running a candidate against tests through an executor, and reading the verdicts."""

from __future__ import annotations

import atexit
import contextlib
import json
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reward_kit.execution import E2BExecutor, ExecutionJob, ExecutionResult, LocalExecutor
from reward_kit.execution._base import Executor
from reward_kit.rewards._code._compare import outputs_match, values_match
from reward_kit.rewards._code._harness import decode, encode

_HARNESS = (Path(__file__).parent / "_harness.py").read_text()
_lock = threading.Lock()
_local: LocalExecutor | None = None
_e2b: dict[str | None, E2BExecutor] = {}


def executor_for(environment: str, api_key: str | None = None) -> Executor:
    """The process-wide executor for ``"local"`` or ``"e2b"``, created on first use."""
    global _local
    with _lock:
        if environment == "local":
            if _local is None:
                _local = LocalExecutor()
            return _local
        if environment == "e2b":
            if api_key not in _e2b:
                _e2b[api_key] = E2BExecutor(api_key)
                atexit.register(_close_quietly, _e2b[api_key])  # E2B bills open sandboxes
            return _e2b[api_key]
    raise ValueError(f"environment must be 'local' or 'e2b', got {environment!r}")


def _close_quietly(executor: E2BExecutor) -> None:
    with contextlib.suppress(Exception):
        executor.close()


@dataclass(frozen=True)
class TestOutcome:
    """One test's verdict; ``sandbox_error`` means it could not be run at all."""

    passed: bool
    reason: str
    sandbox_error: str | None = None


def describe(result: ExecutionResult) -> str:
    """A short account of a failed run for a test's reason."""
    tail = result.stderr.strip().splitlines()[-1:] or [""]
    code = f" (exit {result.exit_code})" if result.exit_code not in (None, 0) else ""
    return f"{result.status}{code} {tail[0][:200]}".strip()


async def run_io_tests(
    executor: Executor,
    code: str,
    language: str,
    tests: list[tuple[str, str]],
    timeout: float,
    memory_mb: int,
    float_tolerance: float | None,
) -> list[TestOutcome]:
    """Run ``code`` once per (stdin, expected stdout) pair, all concurrently."""
    jobs = [ExecutionJob(code, language, stdin, timeout, memory_mb) for stdin, _ in tests]
    results = await executor.arun_batch(jobs)
    outcomes = []
    for (_, expected), result in zip(tests, results, strict=True):
        if result.status == "sandbox_error":
            outcomes.append(TestOutcome(False, "sandbox error", result.error or "sandbox error"))
        elif result.status != "ok":
            outcomes.append(TestOutcome(False, describe(result)))
        elif outputs_match(result.stdout, expected, float_tolerance):
            outcomes.append(TestOutcome(True, "output matches"))
        else:
            outcomes.append(TestOutcome(False, f"wrong output: {result.stdout[:200]!r}"))
    return outcomes


def _harness_job(
    source: str, config: dict[str, Any], timeout: float, memory_mb: int
) -> ExecutionJob:
    return ExecutionJob(
        _HARNESS,
        "python",
        json.dumps(config) + "\n",
        timeout,
        memory_mb,
        {"solution.py": source},
    )


def _harness_lines(result: ExecutionResult, nonce: str) -> list[str]:
    """The harness's own output lines (the candidate cannot write to this stdout)."""
    prefix = nonce + " "
    return [line[len(prefix) :] for line in result.stdout.splitlines() if line.startswith(prefix)]


async def run_call_tests(
    executor: Executor,
    source: str,
    function: str,
    tests: list[tuple[list[Any], list[Any]]],
    timeout: float,
    memory_mb: int,
    float_tolerance: float | None,
) -> list[TestOutcome]:
    """Call ``function`` of ``source`` once per test, each in its own job, all concurrently.

    Each test is (arguments, acceptable return values).
    """
    nonces = [secrets.token_hex(16) for _ in tests]
    jobs = [
        _harness_job(
            source,
            {
                "nonce": nonce,
                "mode": "calls",
                "entry_point": function,
                "calls": [{"args": encode(list(args)), "kwargs": encode({})}],
            },
            timeout,
            memory_mb,
        )
        for nonce, (args, _) in zip(nonces, tests, strict=True)
    ]
    results = await executor.arun_batch(jobs)
    outcomes = []
    for nonce, (_, accepted), result in zip(nonces, tests, results, strict=True):
        if result.status == "sandbox_error":
            outcomes.append(TestOutcome(False, "sandbox error", result.error or "sandbox error"))
            continue
        lines = _harness_lines(result, nonce)
        if result.status != "ok" or not lines:
            outcomes.append(TestOutcome(False, describe(result)))
            continue
        reply = json.loads(lines[-1])
        if "error" in reply:
            outcomes.append(TestOutcome(False, f"call failed: {reply['error'][:200]}"))
            continue
        value = decode(reply["value"])
        if any(values_match(value, want, float_tolerance) for want in accepted):
            outcomes.append(TestOutcome(True, "return value matches"))
        else:
            outcomes.append(TestOutcome(False, f"wrong return value: {value!r}"[:200]))
    return outcomes


async def run_humaneval(
    executor: Executor,
    source: str,
    problem: dict[str, str],
    timeout: float,
    memory_mb: int,
) -> TestOutcome:
    """Run a HumanEval problem's ``check`` against the candidate (through the harness)."""
    nonce = secrets.token_hex(16)
    config = {
        "nonce": nonce,
        "mode": "humaneval",
        "entry_point": problem["entry_point"],
        "prompt": problem["prompt"],
        "test": problem["test"],
    }
    result = (await executor.arun_batch([_harness_job(source, config, timeout, memory_mb)]))[0]
    if result.status == "sandbox_error":
        return TestOutcome(False, "sandbox error", result.error or "sandbox error")
    if result.status == "ok" and "PASS" in _harness_lines(result, nonce):
        return TestOutcome(True, "all checks passed")
    return TestOutcome(False, describe(result))
