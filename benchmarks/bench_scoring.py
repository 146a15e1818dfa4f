"""Benchmark: ``score_batch`` against a plain loop, in the same run.

Measures (1) the speed-up of scoring a CPU-bound reward over 2,000 samples with the process
pool against calling it in a loop, and (2) the per-sample overhead of the pool for a trivial
reward. Run: ``python -m benchmarks.bench_scoring [--samples N] [--work N]``.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

from reward_kit import EvaluateResult, Message, reward_function
from reward_kit.scoring import score_batch


@reward_function
def cpu_bound_reward(messages: list[Message], work: int = 20_000, **kwargs: Any) -> EvaluateResult:
    """A toy reward that burns CPU: sums a hash of the response ``work`` times."""
    text = messages[-1].text
    total = 0
    for index in range(work):
        total = (total * 31 + hash((text, index))) % 1_000_003
    return EvaluateResult(score=total / 1_000_003)


@reward_function
def trivial_reward(messages: list[Message], **kwargs: Any) -> EvaluateResult:
    """A reward that does nothing, to expose the engine's own cost."""
    return EvaluateResult(score=1.0)


def _samples(count: int, work: int) -> list[dict[str, Any]]:
    return [
        {"messages": [{"role": "assistant", "content": f"answer {i}"}], "work": work}
        for i in range(count)
    ]


def _loop(reward: Any, samples: list[dict[str, Any]]) -> float:
    started = time.perf_counter()
    for sample in samples:
        reward(**sample)
    return time.perf_counter() - started


def _batch(reward: Any, samples: list[dict[str, Any]]) -> float:
    score_batch(reward, samples[:8])  # start the workers outside the measurement
    started = time.perf_counter()
    results = score_batch(reward, samples)
    elapsed = time.perf_counter() - started
    assert all(result.is_score_valid for result in results)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--work", type=int, default=20_000, help="CPU work per sample")
    args = parser.parse_args()
    samples = _samples(args.samples, args.work)
    loop_s, batch_s = _loop(cpu_bound_reward, samples), _batch(cpu_bound_reward, samples)
    trivial = _samples(args.samples, 0)
    trivial_loop_s, trivial_batch_s = (
        _loop(trivial_reward, trivial),
        _batch(trivial_reward, trivial),
    )
    overhead_us = (trivial_batch_s - trivial_loop_s) / args.samples * 1e6
    print(f"CPUs: {os.cpu_count()}, samples: {args.samples}")
    print(
        f"CPU-bound reward: loop {loop_s:.2f} s, score_batch {batch_s:.2f} s, "
        f"speed-up {loop_s / batch_s:.2f}x"
    )
    print(
        f"trivial reward: loop {trivial_loop_s * 1e6 / args.samples:.0f} us/sample, "
        f"score_batch {trivial_batch_s * 1e6 / args.samples:.0f} us/sample, "
        f"overhead {overhead_us:.0f} us/sample"
    )


if __name__ == "__main__":
    main()
