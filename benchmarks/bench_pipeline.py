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
- a rerun into the finished run directory (resume: nothing left to do).

Times are measured from the start of the pipeline (``run_pipeline``), not of the interpreter.

    PYTHONPATH=. python benchmarks/bench_pipeline.py                  # 2,000 samples, c=64, 300 ms
    PYTHONPATH=. python benchmarks/bench_pipeline.py --samples 400 --latency 0.1   # quick
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_llm_client import start_stub
from reward_kit.llm import ChatClient
from reward_kit.pipeline import run_pipeline


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--reward", default="math_reward")
    args = parser.parse_args()

    stub, url = start_stub(args.latency)
    try:
        with tempfile.TemporaryDirectory() as folder:
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
    finally:
        stub.kill()
        stub.wait()

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


if __name__ == "__main__":
    main()
