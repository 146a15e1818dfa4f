"""Benchmark: the process pool against a local Ray, on the same samples, in the same run.

Measures (1) the per-sample cost of each executor with a trivial reward (what the engine itself
costs), and (2) the wall time of a CPU-bound reward, as ratios Ray / process pool. On one
machine Ray can only add overhead (a task per call, the object store, a scheduler); it pays on
a cluster, when the reward's CPU time per sample dwarfs that overhead. Run:
``python -m benchmarks.bench_ray [--samples N] [--work N] [--cpus N]``.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

from benchmarks.bench_scoring import _samples, cpu_bound_reward, trivial_reward
from reward_kit.scoring import score_batch


def _timed(reward: Any, samples: list[dict[str, Any]], executor: str, workers: int) -> float:
    score_batch(reward, samples[:8], executor=executor, workers=workers)  # warm up the workers
    started = time.perf_counter()
    results = score_batch(reward, samples, executor=executor, workers=workers)
    elapsed = time.perf_counter() - started
    assert all(result.is_score_valid for result in results), results[0].error
    return elapsed


def main() -> None:
    import ray

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--work", type=int, default=200_000, help="CPU work per sample")
    parser.add_argument("--cpus", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    started = time.perf_counter()
    ray.init(num_cpus=args.cpus, include_dashboard=False, log_to_driver=False)
    ray_start_s = time.perf_counter() - started
    try:
        trivial = _samples(args.samples, 0)
        heavy = _samples(max(args.samples // 10, 8), args.work)
        timings = {
            (name, executor): _timed(reward, samples, executor, args.cpus)
            for name, reward, samples in (
                ("trivial", trivial_reward, trivial),
                ("cpu-bound", cpu_bound_reward, heavy),
            )
            for executor in ("processes", "ray")
        }
    finally:
        ray.shutdown()
    print(f"CPUs: {args.cpus}, starting a local Ray: {ray_start_s:.1f} s (not counted below)")
    for name, count in (("trivial", len(trivial)), ("cpu-bound", len(heavy))):
        pool_s, ray_s = timings[(name, "processes")], timings[(name, "ray")]
        print(
            f"{name} reward, {count} samples: process pool {pool_s * 1e3 / count:.2f} ms/sample, "
            f"Ray {ray_s * 1e3 / count:.2f} ms/sample, Ray / process pool {ray_s / pool_s:.1f}x"
        )


if __name__ == "__main__":
    main()
