"""Throughput of reward_kit.llm.ChatClient against a local OpenAI stand-in with fixed latency.

Reports the wall time of N requests at concurrency C against the ideal N * latency / C (target:
within 1.3x), the speed-up of a fully cached rerun, the client's CPU time per request, and,
with ``--openai-sdk``, the same run through ``openai.AsyncOpenAI`` as a baseline.

    PYTHONPATH=. python benchmarks/bench_llm_client.py            # 2,000 requests, c=64, 300 ms
    PYTHONPATH=. python benchmarks/bench_llm_client.py --openai-sdk
    PYTHONPATH=. python benchmarks/bench_llm_client.py --requests 400 --latency 0.1   # quick

The stand-in runs in its own process, as a real server would, so that it does not compete with
the client for the interpreter.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from reward_kit.llm import ChatClient

ROOT = Path(__file__).resolve().parents[1]


def start_stub(
    latency: float, module: str = "tests._servers.openai_stub", *options: str
) -> tuple[subprocess.Popen[str], str]:
    """Start a stand-in server process; returns it and its base URL.

    Args:
        latency: Seconds each answer waits.
        module: The server's module, run with ``python -m``; it prints ``READY <port>``.
        options: More command-line options for it.
    """
    process = subprocess.Popen(
        [sys.executable, "-m", module, "--latency", str(latency), *options],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("READY "):
        process.kill()
        raise RuntimeError(f"stub server did not start: {line!r}")
    return process, f"http://127.0.0.1:{line.split()[1]}/v1"


def prompts(count: int) -> list[list[dict[str, str]]]:
    return [
        [
            {"role": "system", "content": "Solve the problem. Put the answer in \\boxed{}."},
            {"role": "user", "content": f"Problem {i}: what is {i} + {i * 7}?"},
        ]
        for i in range(count)
    ]


async def timed(run: Callable[[], Awaitable[None]]) -> tuple[float, float]:
    """Wall and CPU seconds of ``run``."""
    wall, cpu = time.perf_counter(), time.process_time()
    await run()
    return time.perf_counter() - wall, time.process_time() - cpu


async def bench_client(url: str, conversations: list, concurrency: int, cache: Path) -> dict:
    client = ChatClient(
        base_url=url, api_key="bench", max_concurrent_requests=concurrency, cache=cache
    )

    async def run_all() -> None:
        await asyncio.gather(*(client.chat(c, model="bench", max_tokens=64) for c in conversations))

    async with client:
        first = await timed(run_all)
        cached = await timed(run_all)
    assert client.stats.cache_hits == len(conversations), client.stats
    return {"first": first, "cached": cached, "stats": client.stats}


async def bench_openai_sdk(url: str, conversations: list, concurrency: int) -> tuple[float, float]:
    import httpx
    import openai

    http = httpx.AsyncClient(
        limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    )
    sdk = openai.AsyncOpenAI(base_url=url, api_key="bench", http_client=http, max_retries=5)
    gate = asyncio.Semaphore(concurrency)

    async def one(conversation: list) -> None:
        async with gate:
            await sdk.chat.completions.create(model="bench", messages=conversation, max_tokens=64)

    async def run_all() -> None:
        await asyncio.gather(*(one(c) for c in conversations))

    try:
        return await timed(run_all)
    finally:
        await sdk.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark reward_kit.llm.ChatClient.")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--openai-sdk", action="store_true", help="also time openai.AsyncOpenAI")
    args = parser.parse_args()

    conversations = prompts(args.requests)
    ideal = args.requests * args.latency / args.concurrency
    stub, url = start_stub(args.latency)
    try:
        with tempfile.TemporaryDirectory() as folder:
            cache = Path(folder) / "cache.sqlite"
            result = asyncio.run(bench_client(url, conversations, args.concurrency, cache))
        sdk = None
        if args.openai_sdk:
            sdk = asyncio.run(bench_openai_sdk(url, conversations, args.concurrency))
    finally:
        stub.kill()
        stub.wait()

    (wall, cpu), (cached_wall, _) = result["first"], result["cached"]
    n = args.requests
    print(f"{n} requests, concurrency {args.concurrency}, latency {args.latency * 1000:g} ms")
    row("ideal (n * latency / concurrency)", f"{ideal:8.2f} s")
    row("ChatClient", f"{wall:8.2f} s = {wall / ideal:.2f}x ideal (target <= 1.3x)")
    row("  client CPU per request", f"{cpu / n * 1000:8.2f} ms")
    row("ChatClient, cached rerun", f"{cached_wall:8.3f} s = {wall / cached_wall:.0f}x faster")
    if sdk is not None:
        sdk_wall, sdk_cpu = sdk
        row("openai.AsyncOpenAI, same server", f"{sdk_wall:8.2f} s = {sdk_wall / ideal:.2f}x ideal")
        row("  SDK CPU per request", f"{sdk_cpu / n * 1000:8.2f} ms")
        row("ChatClient speed-up over the SDK", f"{sdk_wall / wall:8.2f}x")


def row(label: str, value: str) -> None:
    print(f"{label:<36}{value}")


if __name__ == "__main__":
    main()
