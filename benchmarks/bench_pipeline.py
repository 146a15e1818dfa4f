"""End-to-end throughput of ``reward-kit run``'s pipeline against a local OpenAI stand-in.

Runs the pipeline (dataset -> generation -> math_reward -> results) on N math problems against
the stand-in server (its own process, asyncio, keep-alive) answering each request after a fixed
latency, and reports:

- the first run's wall time against the ideal ``N * latency / concurrency`` (target: <= 1.3x),
  and against a baseline measured in the same run: the bare model client sending the same
  requests at the same concurrency, with no dataset, scoring or results (the pipeline's own
  overhead);
- a fully cached rerun of the same config into a new run directory against the first run
  (target: >= 20x faster), and against its floor measured in the same run: scoring the same
  2,000 responses with the reward alone (scores are not cached, so a rerun redoes them);
- a rerun into the finished run directory (resume: nothing left to do);
- with ``--rate429 FRACTION``, a run against a server that answers that fraction of requests,
  at random, with 429 + ``Retry-After: 0`` (background noise, not a rate limit), against a
  run without 429s measured just before it (target: <= 1.15x);
- with ``--rate-limit RPS``, a run against a server with a real rate limit (a token bucket of
  RPS tokens refilled at RPS per second; a request finding it empty gets an immediate 429 +
  ``Retry-After: 1``), against its ideal ``N / RPS`` (target: <= 1.3x), with the share of
  requests answered 429.

Times are measured from the start of the pipeline (``run_pipeline``), not of the interpreter.

    PYTHONPATH=. python benchmarks/bench_pipeline.py                  # 2,000 samples, c=64, 300 ms
    PYTHONPATH=. python benchmarks/bench_pipeline.py --samples 400 --latency 0.1   # quick
    PYTHONPATH=. python benchmarks/bench_pipeline.py --rate429 0.02 --rate-limit 100
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks.bench_llm_client import start_stub
from reward_kit.llm import ChatClient
from reward_kit.pipeline import run_pipeline
from tests._servers.openai_stub import OpenAIStub, RecordedRequest, Reply, rate_limited


class Refusals:
    """Which requests the benchmark's server refuses: a random share, and those over a rate.

    Args:
        share: Fraction of requests answered 429 + ``Retry-After: 0`` after the usual latency.
        rate: Requests per second allowed (a token bucket holding one second's worth); a
            request over it gets 429 + ``Retry-After: 1`` at once. ``None`` for no limit.
    """

    def __init__(self, share: float, rate: float | None) -> None:
        self.share = share
        self.rate = rate
        self.tokens = rate or 0.0
        self.refilled = time.monotonic()
        self.random = random.Random(0)

    def __call__(self, request: RecordedRequest) -> Reply | None:
        if self.rate is not None:
            now = time.monotonic()
            self.tokens = min(self.rate, self.tokens + (now - self.refilled) * self.rate)
            self.refilled = now
            if self.tokens < 1:
                return replace(rate_limited(retry_after="1"), delay=0.0)
            self.tokens -= 1
        if self.random.random() < self.share:
            return rate_limited(retry_after="0")
        return None  # the stub's echo


def serve(latency: float, share: float, rate: float | None) -> None:
    """Run the stand-in with :class:`Refusals` until killed; prints ``READY <port>``."""

    async def run() -> None:
        stub = OpenAIStub(latency=latency, responder=Refusals(share, rate))
        await stub.start()
        print(f"READY {stub.port}", flush=True)
        await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


@contextlib.contextmanager
def server(latency: float, *options: str) -> Iterator[str]:
    """A stand-in server process for the block; yields its base URL."""
    if options:
        process, url = start_stub(latency, "benchmarks.bench_pipeline", "--serve", *options)
    else:
        process, url = start_stub(latency)
    try:
        yield url
    finally:
        process.kill()
        process.wait()


def write_dataset(path: Path, count: int) -> None:
    with path.open("w") as handle:
        for i in range(count):
            row = {
                "id": f"p{i}",
                # The stand-in echoes the prompt, so the response ends with the right answer.
                "user_query": f"Problem {i}: {i} + {7 * i} = ? The answer is \\boxed{{{8 * i}}}",
                "ground_truth": str(8 * i),
            }
            handle.write(json.dumps(row) + "\n")


def config(data: Path, url: str, cache: Path, concurrency: int, reward: str) -> dict[str, Any]:
    return {
        "dataset": {"source_type": "jsonl", "path_or_name": str(data)},
        "generation": {
            "model_name": "bench-model",
            "api_base": url,
            "api_key_env": None,
            "max_tokens": 64,
            "cache": {"path": str(cache)},
            "api_params": {"max_concurrent_requests": concurrency},
        },
        "reward": {"function_path": reward},
        "output": {"progress": "none"},
    }


def bare_client_seconds(url: str, data: Path, concurrency: int) -> tuple[float, float]:
    """Wall and CPU time of the same requests sent by the model client alone (no cache)."""
    queries = [json.loads(line)["user_query"] for line in data.read_text().splitlines()]

    async def send_all() -> float:
        async with ChatClient(
            base_url=url, api_key_env=None, max_concurrent_requests=concurrency
        ) as client:
            started = time.perf_counter()
            await asyncio.gather(
                *(
                    client.chat(
                        [{"role": "user", "content": query}],
                        model="bench-model",
                        temperature=0.0,
                        max_tokens=64,
                    )
                    for query in queries
                )
            )
            return time.perf_counter() - started

    cpu = time.process_time()
    wall = asyncio.run(send_all())
    return wall, time.process_time() - cpu


def scoring_only_seconds(results: Path, reward: str) -> float:
    """Wall time of scoring the first run's conversations with the reward alone."""
    from reward_kit._registry import resolve_reward
    from reward_kit.scoring import Scorer

    rows = [json.loads(line) for line in results.read_text().splitlines()]
    samples = [{"messages": row["messages"], "ground_truth": row["ground_truth"]} for row in rows]
    scorer = Scorer(resolve_reward(reward), timeout=60.0)

    async def score_all() -> float:
        started = time.perf_counter()
        await scorer.score_many(samples)
        return time.perf_counter() - started

    return asyncio.run(score_all())


def timed_run(run_config: dict[str, Any], run_dir: Path) -> tuple[float, float, dict[str, Any]]:
    """Wall time, CPU time of this process, and the summary of one pipeline run."""
    started, cpu = time.perf_counter(), time.process_time()
    result = run_pipeline(run_config, run_dir)
    return time.perf_counter() - started, time.process_time() - cpu, result.summary


def throttled_run(
    url: str, root: Path, name: str, args: argparse.Namespace
) -> tuple[float, dict[str, Any]]:
    """Wall time and API counters of one run (own cache) against a server that sends 429s."""
    data = root / "data.jsonl"
    run_config = config(data, url, root / f"{name}.sqlite", args.concurrency, args.reward)
    wall, _, summary = timed_run(run_config, root / name)
    assert summary["rows"] == args.samples and summary["errors"]["generation"] == 0, summary
    return wall, summary["this_invocation"]


def report_throttled(label: str, wall: float, calls: dict, against: float, target: str) -> None:
    """One line: wall time, ratio to ``against``, and the share of requests answered 429.

    Every retry follows a 429 here (the run had no generation errors and the server sends no
    other failures), so retries count the 429s.
    """
    requests, retries = calls["api_requests"], calls["api_retries"]
    goal = f"  (target {target})" if target else ""
    print(
        f"  {label:<13} {wall:7.2f} s   ratio {wall / against:.2f}x{goal}; "
        f"{retries} of {requests} requests answered 429 ({retries / requests:.1%})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--reward", default="math_reward")
    parser.add_argument("--rate429", type=float, default=0.0, metavar="FRACTION")
    parser.add_argument("--rate-limit", type=float, default=None, metavar="RPS")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.latency, args.rate429, args.rate_limit)
        return

    with tempfile.TemporaryDirectory() as folder, server(args.latency) as url:
        root = Path(folder)
        write_dataset(root / "data.jsonl", args.samples)
        run_config = config(
            root / "data.jsonl", url, root / "cache.sqlite", args.concurrency, args.reward
        )
        baseline, baseline_cpu = bare_client_seconds(url, root / "data.jsonl", args.concurrency)
        first, first_cpu, summary = timed_run(run_config, root / "first")
        cached, _, cached_summary = timed_run(run_config, root / "cached")
        resumed, _, _ = timed_run(run_config, root / "first")
        scoring = scoring_only_seconds(root / "first" / "results.jsonl", args.reward)
        clean = sporadic = limited = None
        if args.rate429:
            clean = throttled_run(url, root, "clean", args)  # warmed up, as the next run is
            with server(args.latency, "--rate429", str(args.rate429)) as noisy:
                sporadic = throttled_run(noisy, root, "sporadic", args)
        if args.rate_limit:
            with server(args.latency, "--rate-limit", str(args.rate_limit)) as bucket:
                limited = throttled_run(bucket, root, "limited", args)

    ideal = args.samples * args.latency / args.concurrency
    assert summary["rows"] == args.samples and summary["errors"]["generation"] == 0, summary
    assert cached_summary["this_invocation"]["api_requests"] == 0, cached_summary
    print(
        f"pipeline: {args.samples} samples, concurrency {args.concurrency}, "
        f"latency {args.latency * 1000:.0f} ms, reward {args.reward}"
    )
    print(
        f"  bare client   {baseline:7.2f} s   ideal {ideal:.2f} s   ratio {baseline / ideal:.2f}x"
    )
    print(
        f"  first run     {first:7.2f} s   ideal {ideal:.2f} s   ratio {first / ideal:.2f}x"
        f"  (target <= 1.3x); {first / baseline:.2f}x the bare client"
    )
    print(
        f"  cached rerun  {cached:7.2f} s   {first / cached:.1f}x faster than the first run"
        "  (target >= 20x)"
    )
    print(
        f"                of which the reward alone needs {scoring:.2f} s "
        f"(pipeline overhead {max(cached - scoring, 0.0):.2f} s)"
    )
    print(f"  resume (done) {resumed:7.2f} s   {first / resumed:.1f}x faster than the first run")
    per_sample = 1000 / args.samples
    print(
        f"  CPU of this process per sample: bare client {baseline_cpu * per_sample:.2f} ms, "
        f"pipeline {first_cpu * per_sample:.2f} ms (reward workers not included)"
    )
    score, errors = summary["score"]["mean"], summary["errors"]["scoring"]
    print(f"  mean score {score:.3f}, scoring errors {errors}")
    if clean is not None and sporadic is not None:
        print(f"  {args.rate429:.0%} of requests answered 429 at random, against a run without:")
        report_throttled("no 429", *clean, clean[0], "")
        report_throttled("sporadic 429", *sporadic, clean[0], "<= 1.15x")
    if limited is not None:
        limit_ideal = max(ideal, args.samples / args.rate_limit)
        print(f"  against the ideal, with a limit of {args.rate_limit:g} requests/s:")
        report_throttled("rate limit", *limited, limit_ideal, "<= 1.3x")


if __name__ == "__main__":
    main()
