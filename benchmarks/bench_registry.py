"""Load test of ``reward-kit serve --registry``: sandboxed evaluators against unsandboxed ones.

Deploys the same two evaluators (a trivial one: the cost of HTTP + worker round trip; one that
sleeps 50 ms: whether evaluations run in parallel) on a registry whose workers run in bubblewrap
sandboxes (the default) and on one started with ``--insecure-single-tenant`` (plain worker
processes, as before sandboxing), and sends the same requests to both at the same concurrency.
Reports throughput, latency, errors and the sandboxed/unsandboxed ratios measured in this run.

    PYTHONPATH=. python benchmarks/bench_registry.py [--requests 2000] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.bench_server import REWARDS, load
from reward_kit.server.testing import ServerProcess


def _deploy(server: ServerProcess, evaluator_id: str) -> str:
    base = f"{server.url}/v1/accounts/bench"
    code = REWARDS + f"\nevaluate = {evaluator_id}\n"
    criteria = [{"name": "m", "codeSnippets": {"fileContents": {"main.py": code}}}]
    body = {"evaluatorId": evaluator_id, "evaluator": {"criteria": criteria}}
    httpx.post(f"{base}/evaluators", json=body, timeout=60).raise_for_status()
    deadline = time.monotonic() + 120
    while httpx.get(f"{base}/evaluators/{evaluator_id}").json()["state"] == "BUILDING":
        if time.monotonic() > deadline:
            raise SystemExit(f"{evaluator_id} did not build")
        time.sleep(0.1)
    return f"{base}/evaluators/{evaluator_id}:evaluate"


def measure(root: Path, sandboxed: bool, requests: int, concurrency: int) -> dict[str, dict]:
    args = ["--registry", str(root), "--workers", "2"]
    if not sandboxed:
        args.append("--insecure-single-tenant")
    figures = {}
    with ServerProcess(args) as server:
        for reward in ("trivial", "sleepy"):
            url = _deploy(server, reward)
            asyncio.run(load(url, 100, concurrency, post=True))  # start the workers
            figures[reward] = asyncio.run(load(url, requests, concurrency, post=True))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    options = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for sandboxed in (False, True):
            root = Path(folder) / ("sandboxed" if sandboxed else "plain")
            results[sandboxed] = measure(root, sandboxed, options.requests, options.concurrency)
    failed = 0
    for reward in ("trivial", "sleepy"):
        plain, boxed = results[False][reward], results[True][reward]
        for label, figures in (("unsandboxed", plain), ("sandboxed", boxed)):
            failed += int(figures["errors"])
            print(
                f"{reward:8s} {label:12s} {figures['requests_per_s']:8.1f} req/s  "
                f"p50 {figures['p50_ms']:6.1f} ms  p99 {figures['p99_ms']:6.1f} ms  "
                f"errors {int(figures['errors'])}"
            )
        print(
            f"{reward:8s} sandboxed/unsandboxed: throughput "
            f"{boxed['requests_per_s'] / plain['requests_per_s']:.2f}x, p50 latency "
            f"{boxed['p50_ms'] / plain['p50_ms']:.2f}x, per-request overhead "
            f"{(1000 / boxed['requests_per_s'] - 1000 / plain['requests_per_s']):+.2f} ms"
        )
    if failed:
        raise SystemExit(f"{failed} requests failed")


if __name__ == "__main__":
    main()
