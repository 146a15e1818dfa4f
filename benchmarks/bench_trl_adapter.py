"""Benchmark: the TRL adapter against calling the reward directly, in the same run.

For batches of 64 completions, as ``GRPOTrainer`` passes them, measures against a plain loop of
direct calls: (1) the adapter's overhead for a cheap reward, scored in this process (the
default) and in worker processes (``workers=2``); (2) a CPU-bound sync reward (about 2 ms of
pure Python per completion) both ways, where worker processes use every core; and (3) for
``math_reward``, the speed-up of the adapter's concurrent scoring over direct calls one after
another (its checks run in the math worker pool whatever ``workers`` says).
Run: ``python -m benchmarks.bench_trl_adapter [--batches N] [--batch-size N]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from reward_kit import EvaluateResult, Message, reward_function
from reward_kit.integrations.trl import create_trl_adapter
from reward_kit.models import message_text


@reward_function
def cheap_reward(messages: list[Message], ground_truth: str = "", **kwargs: Any) -> EvaluateResult:
    """Whether the response contains the reference: about as cheap as a reward gets."""
    return EvaluateResult(score=float(ground_truth in message_text(messages[-1])))


@reward_function
def cpu_bound_reward(
    messages: list[Message], ground_truth: str = "", **kwargs: Any
) -> EvaluateResult:
    """A reward that computes for about 2 ms in pure Python (holding the GIL) per completion."""
    text = message_text(messages[-1])
    total = 0
    for step in range(40_000):
        total = (total * 31 + step + len(text)) % 1_000_003
    return EvaluateResult(score=float(ground_truth in text), reason=str(total))


def _batch(size: int, offset: int) -> dict[str, Any]:
    """One TRL call's keyword arguments (standard format; GSM8K-like and LaTeX answers)."""
    numbers = [offset + i for i in range(size)]
    return {
        "prompts": [f"Tom has {n} apples and buys {n} more. How many now?" for n in numbers],
        "completions": [
            f"He had {n} and bought {n}, so {n} + {n} = {2 * n + i % 2}. #### {2 * n + i % 2}"
            if i % 2
            else f"Twice {n} is \\boxed{{\\frac{{{4 * n}}}{{2}}}}"
            for i, n in enumerate(numbers)
        ],
        "completion_ids": [[0] * 8 for _ in numbers],
        "ground_truth": [str(2 * n) for n in numbers],
        "trainer_state": None,
    }


def _direct(reward: Callable[..., Any], batch: dict[str, Any]) -> list[float]:
    """The baseline: the reward called once per completion, as a hand-written loop would."""
    scores = []
    for prompt, completion, truth in zip(
        batch["prompts"], batch["completions"], batch["ground_truth"], strict=True
    ):
        messages = [
            {"role": "user", "content": prompt},
            {"role": "assistant", "content": completion},
        ]
        scores.append(reward(messages=messages, ground_truth=truth).score)
    return scores


def _seconds(run: Callable[[dict[str, Any]], Any], batch: dict[str, Any]) -> float:
    started = time.perf_counter()
    run(batch)
    return time.perf_counter() - started


def _compare(reward: Callable[..., Any], batches: list[dict[str, Any]], **options: Any) -> None:
    adapter = create_trl_adapter(reward, **options)
    # the first call starts the worker pools, outside the measurement
    assert adapter(**batches[0]) == _direct(reward, batches[0]), "adapter and direct disagree"
    direct_times, adapter_times = [], []
    for batch in batches[1:]:  # alternate, so that load from elsewhere hits both alike
        direct_times.append(_seconds(lambda b: _direct(reward, b), batch))
        adapter_times.append(_seconds(lambda b: adapter(**b), batch))
    direct, adapted = statistics.median(direct_times), statistics.median(adapter_times)
    size = len(batches[0]["completions"])
    label = ", ".join(f"{k}={v}" for k, v in options.items()) or "default workers"
    print(
        f"  adapter ({label}): {adapted * 1e3:8.2f} ms/batch  direct: {direct * 1e3:8.2f} ms/batch"
        f"  ratio adapter/direct: {adapted / direct:5.2f}"
        f"  overhead: {(adapted - direct) / size * 1e6:+8.1f} us/completion"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()
    batches = [_batch(args.batch_size, index * 1000) for index in range(args.batches + 1)]
    print(f"{os.cpu_count()} CPUs, batches of {args.batch_size}, median of {args.batches}")
    print("cheap reward:")
    _compare(cheap_reward, batches)
    _compare(cheap_reward, batches, workers=2)
    print("CPU-bound sync reward:")
    _compare(cpu_bound_reward, batches)
    _compare(cpu_bound_reward, batches, workers=2)
    from reward_kit.rewards.math import math_reward

    print("math_reward (async; its checks run in the shared math worker pool):")
    _compare(math_reward, batches)


if __name__ == "__main__":
    main()
