"""Load test of ``reward-kit serve`` on loopback: throughput and latency of POST /evaluate.

Sends a fixed number of requests (default 2,000) at a fixed concurrency (default 32) to a
server started for the run, for two rewards: a trivial one (the cost of the HTTP + worker
round trip) and one that sleeps 50 ms (shows whether the worker pool runs evaluations in
parallel: serialised it could not exceed 20 requests/s). The baseline, measured in the same
run, is GET /health (the HTTP stack without evaluation). Bounded in count and time, loopback
only.

    PYTHONPATH=. python benchmarks/bench_server.py [--requests 2000] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import textwrap
import time
from pathlib import Path

import httpx

from reward_kit.server.testing import ServerProcess

REWARDS = textwrap.dedent(
    """
    import time

    from reward_kit import EvaluateResult, reward_function


    @reward_function
    def trivial(messages, **kwargs):
        return EvaluateResult(score=1.0)


    @reward_function
    def sleepy(messages, **kwargs):
        time.sleep(0.05)
        return EvaluateResult(score=1.0)
    """
)
BODY = {
    "messages": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}],
    "ground_truth": "4",
}
PHASE_TIME_LIMIT = 300.0


async def load(url: str, requests: int, concurrency: int, post: bool) -> dict[str, float]:
    """Send ``requests`` requests, ``concurrency`` at a time; latency percentiles in ms."""
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(requests):
        queue.put_nowait(index)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def worker() -> None:
            nonlocal errors
            while not queue.empty():
                queue.get_nowait()
                started = time.perf_counter()
                try:
                    if post:
                        response = await client.post(url, json=BODY)
                        ok = response.status_code == 200 and response.json()["is_score_valid"]
                    else:
                        ok = (await client.get(url)).status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append((time.perf_counter() - started) * 1000)
                errors += not ok

        started = time.perf_counter()
        await asyncio.wait_for(
            asyncio.gather(*(worker() for _ in range(concurrency))), PHASE_TIME_LIMIT
        )
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests_per_s": requests / elapsed,
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "errors": float(errors),
    }


def run(reward: str, workers: int, requests: int, concurrency: int, folder: Path) -> None:
    args = ["--function-ref", f"{folder}/bench_rewards.py:{reward}", "--workers", str(workers)]
    with ServerProcess(args) as server:
        asyncio.run(load(f"{server.url}/evaluate", 200, concurrency, post=True))  # warm up
        baseline = asyncio.run(load(f"{server.url}/health", requests, concurrency, post=False))
        result = asyncio.run(load(f"{server.url}/evaluate", requests, concurrency, post=True))
    ratio = result["requests_per_s"] / baseline["requests_per_s"]
    print(
        f"{reward:8s} workers={workers:<3d} {result['requests_per_s']:8.1f} req/s  "
        f"p50 {result['p50_ms']:6.1f} ms  p99 {result['p99_ms']:6.1f} ms  "
        f"errors {int(result['errors'])}  | baseline GET /health "
        f"{baseline['requests_per_s']:8.1f} req/s, evaluate/baseline = {ratio:.2f}"
    )
    if reward == "sleepy":
        ideal = min(workers, concurrency) / 0.05
        print(
            f"{'':8s} ideal with {min(workers, concurrency)} parallel 50 ms evaluations: "
            f"{ideal:.0f} req/s; achieved {result['requests_per_s'] / ideal:.0%} of it "
            f"(a serialised pool would give 20 req/s)"
        )
    if result["errors"]:
        raise SystemExit(f"{reward}: {int(result['errors'])} requests failed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="workers for the trivial reward")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "bench_rewards.py").write_text(REWARDS)
        run("trivial", options.workers, options.requests, options.concurrency, Path(folder))
        run("sleepy", options.concurrency, options.requests, options.concurrency, Path(folder))


if __name__ == "__main__":
    main()
