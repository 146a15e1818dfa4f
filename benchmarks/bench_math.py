"""Benchmark math_reward against calling math-verify directly, on the same inputs, same run.

Measures:
  1. per-sample latency (median, p99) of `math_reward(...)` (extraction + worker hop + check)
     vs `math_verify.parse(gold)`, `parse(response)`, `verify(...)` in this process;
     target: median ratio <= 2.
  2. throughput of 1,000 samples through `reward_kit.scoring.score_batch` vs a direct
     single-process loop of parse+verify; target: >= 1.5x (uses every core).

Run:  PYTHONPATH=. python benchmarks/bench_math.py [--samples 240] [--batch 1000] [--check]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from reward_kit.rewards.math import math_reward
from reward_kit.scoring import score_batch

NAMES = ["Janet", "Tom", "Aisha", "Wei", "Carlos", "Priya", "Olga", "Sam"]
ITEMS = ["apples", "marbles", "books", "stickers", "pencils", "cookies"]


def _filler(rng: random.Random, sentences: int) -> str:
    steps = []
    for _ in range(sentences):
        a, b = rng.randint(2, 90), rng.randint(2, 90)
        steps.append(f"First, {a} + {b} = {a + b}, and {a} \\times {b} = {a * b}.")
    return " ".join(steps)


def _gsm8k(rng: random.Random, wrong: bool) -> tuple[str, str]:
    name, item = rng.choice(NAMES), rng.choice(ITEMS)
    a, b, c = rng.randint(3, 60), rng.randint(2, 9), rng.randint(1, 40)
    total = a * b - c
    gold = f"{name} buys {b} bags of {a} {item}: {a}*{b}={a * b}. Gives {c} away.\n#### {total}"
    answer = total + (rng.choice([-1, 1, 10]) if wrong else 0)
    style = rng.randrange(3)
    body = f"{name} has {b} bags with {a} {item} each, so {a} * {b} = {a * b} {item}. "
    body += f"After giving away {c}, {a * b} - {c} = {answer}. " + _filler(rng, 2)
    if style == 0:
        return f"{body}\n#### {answer}", gold
    if style == 1:
        return f"<think>{_filler(rng, 4)}</think>{body}\nThe final answer is {answer:,}.", gold
    return f"{body}\nSo the answer is $\\boxed{{{answer}}}$.", gold


def _math(rng: random.Random, wrong: bool) -> tuple[str, str]:
    p, q = rng.randint(1, 30), rng.randint(31, 60)
    k = rng.randint(2, 9)
    cases = [
        (f"\\frac{{{p}}}{{{q}}}", f"\\frac{{{p * k}}}{{{q * k}}}", f"\\frac{{{p + 1}}}{{{q}}}"),
        (f"\\sqrt{{{k * k * 3}}}", f"{k}\\sqrt{{3}}", f"{k + 1}\\sqrt{{3}}"),
        (f"(-\\infty, {p}]", f"(-\\infty, {p}]", f"(-\\infty, {p})"),
        (f"(x+{k})^2", f"x^2+{2 * k}x+{k * k}", f"x^2+{k}x+{k * k}"),
        (f"{p}\\pi", f"\\pi \\cdot {p}", f"{p + 1}\\pi"),
        (f"\\left({p}, {q}\\right)", f"({p},{q})", f"({q},{p})"),
        (f"{p / 4}", f"\\frac{{{p}}}{{4}}", f"\\frac{{{p + 1}}}{{4}}"),
    ]
    gold, right, bad = rng.choice(cases)
    answer = bad if wrong else right
    body = "Let us simplify step by step. " + _filler(rng, rng.randint(2, 6))
    body += f" Combining the terms we get ${answer}$."
    return f"{body}\nTherefore, the final answer is $\\boxed{{{answer}}}$.", gold


def make_samples(count: int, seed: int = 0) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    samples = []
    for index in range(count):
        make = _gsm8k if index % 2 == 0 else _math
        response, gold = make(rng, wrong=rng.random() < 0.3)
        messages = [
            {"role": "user", "content": "Solve the problem and give the final answer."},
            {"role": "assistant", "content": response},
        ]
        samples.append({"messages": messages, "ground_truth": gold})
    return samples


def direct(sample: dict[str, Any]) -> bool:
    """What a careful user of math-verify writes: gold answer in `$...$`, parse, verify."""
    from math_verify import parse, verify

    gold_answer = sample["ground_truth"].rpartition("####")[2].strip()
    gold = parse(f"${gold_answer}$")
    pred = parse(sample["messages"][-1]["content"])
    return bool(verify(gold, pred))


def via_reward(sample: dict[str, Any]) -> bool:
    return math_reward(sample["messages"], sample["ground_truth"]).score == 1.0


def latencies(fn: Callable[[dict[str, Any]], bool], samples: list[dict[str, Any]]) -> list[float]:
    times = []
    for sample in samples:
        start = time.perf_counter()
        fn(sample)
        times.append(time.perf_counter() - start)
    return times


def p99(values: list[float]) -> float:
    return sorted(values)[min(len(values) - 1, int(0.99 * len(values)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=240, help="distinct responses (>= 200)")
    parser.add_argument("--batch", type=int, default=1000, help="samples in the batch test")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()

    samples = make_samples(args.samples)
    # Warm both paths (imports, worker start-up) before measuring.
    for sample in samples[:10]:
        direct(sample)
        via_reward(sample)

    # Interleave the two measurements in chunks so machine load affects both alike.
    base: list[float] = []
    ours: list[float] = []
    for start in range(0, len(samples), 20):
        chunk = samples[start : start + 20]
        base += latencies(direct, chunk)
        ours += latencies(via_reward, chunk)
    agree = sum(direct(s) == via_reward(s) for s in samples)
    median_ratio = statistics.median(ours) / statistics.median(base)
    print(f"per-sample latency over {len(samples)} responses (ms):")
    print(
        f"  math_verify parse+verify  median {statistics.median(base) * 1e3:7.2f}"
        f"  p99 {p99(base) * 1e3:7.2f}"
    )
    print(
        f"  math_reward               median {statistics.median(ours) * 1e3:7.2f}"
        f"  p99 {p99(ours) * 1e3:7.2f}"
    )
    print(
        f"  median ratio {median_ratio:.2f}x (target <= 2x); verdicts agree on "
        f"{agree}/{len(samples)}"
    )

    batch = [samples[i % len(samples)] for i in range(args.batch)]
    # Alternate the two in rounds of 200 so load from other processes hits both alike.
    loop_s = batch_s = 0.0
    invalid = 0
    for start in range(0, len(batch), 200):
        chunk = batch[start : start + 200]
        begin = time.perf_counter()
        for sample in chunk:
            direct(sample)
        loop_s += time.perf_counter() - begin
        begin = time.perf_counter()
        results = score_batch(math_reward, chunk)
        batch_s += time.perf_counter() - begin
        invalid += sum(not r.is_score_valid for r in results)
    speedup = loop_s / batch_s
    print(
        f"batch of {len(batch)}: direct loop {loop_s:.2f} s ({len(batch) / loop_s:.0f}/s), "
        f"score_batch {batch_s:.2f} s ({len(batch) / batch_s:.0f}/s), invalid {invalid}"
    )
    print(f"  throughput ratio {speedup:.2f}x (target >= 1.5x)")
    missed = median_ratio > 2 or speedup < 1.5
    return 1 if (args.check and missed) else 0


if __name__ == "__main__":
    raise SystemExit(main())
