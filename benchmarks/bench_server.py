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
import json
import statistics
import tempfile
import textwrap
import time
from pathlib import Path
from urllib.parse import urlsplit

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


class _Connection:
    """One keep-alive HTTP/1.1 connection: a client lean enough not to be the bottleneck."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        return status, await self.reader.readexactly(length)


def _raw_request(url: str, post: bool) -> tuple[str, int, bytes]:
    parsed = urlsplit(url)
    if post:
        body = json.dumps(BODY).encode()
        head = (
            f"POST {parsed.path} HTTP/1.1\r\nHost: {parsed.netloc}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        return parsed.hostname or "", parsed.port or 80, head.encode() + body
    head = f"GET {parsed.path} HTTP/1.1\r\nHost: {parsed.netloc}\r\n\r\n"
    return parsed.hostname or "", parsed.port or 80, head.encode()


async def load(url: str, requests: int, concurrency: int, post: bool) -> dict[str, float]:
    """Send ``requests`` requests over ``concurrency`` connections; latencies in ms."""
    host, port, raw = _raw_request(url, post)
    latencies: list[float] = []
    errors = 0
    remaining = requests

    async def worker() -> None:
        nonlocal errors, remaining
        connection = _Connection(*await asyncio.open_connection(host, port))
        try:
            while remaining > 0:
                remaining -= 1
                started = time.perf_counter()
                status, body = await connection.request(raw)
                ok = status == 200 and (not post or json.loads(body)["is_score_valid"])
                latencies.append((time.perf_counter() - started) * 1000)
                errors += not ok
        finally:
            connection.writer.close()
            await connection.writer.wait_closed()

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
