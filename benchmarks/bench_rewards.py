"""Overhead of the built-in non-math rewards over the library call each one wraps.

For each reward, the same generated responses are scored by the reward (message validation,
extraction, metrics) and by the bare library call it builds on, alternating in one run; the
report gives per-sample medians and their ratio. Pairs:

  json_schema_reward          vs  json.loads + jsonschema validator.is_valid
  rouge_reward (rougeL)       vs  RougeScorer.score
  language_consistency_reward vs  py3langid classify of the whole response
  exact_tool_match_reward     vs  json.loads of the arguments + dict equality
  repetition_penalty_reward   vs  str.split + set of 3-grams

Run:  PYTHONPATH=. python benchmarks/bench_rewards.py [--samples 300]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from reward_kit.rewards.function_calling import exact_tool_match_reward
from reward_kit.rewards.json_schema import json_schema_reward
from reward_kit.rewards.language_consistency import language_consistency_reward
from reward_kit.rewards.repetition import repetition_penalty_reward
from reward_kit.rewards.rouge import rouge_reward

WORDS = [
    "the",
    "model",
    "reads",
    "the",
    "question",
    "carefully",
    "and",
    "then",
    "writes",
    "a",
    "short",
    "answer",
    "about",
    "the",
    "data",
    "while",
    "checking",
    "each",
    "step",
    "of",
    "its",
    "reasoning",
    "before",
    "it",
    "gives",
    "the",
    "final",
    "result",
    "to",
    "the",
    "user",
]
SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "age": {"type": "integer", "minimum": 0},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["name", "age"],
}


def _prose(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _conversation(content: Any, **fields: Any) -> list[dict[str, Any]]:
    return [
        {"role": "user", "content": "Please answer."},
        {"role": "assistant", "content": content, **fields},
    ]


def _median_us(func: Callable[[Any], Any], inputs: list[Any]) -> float:
    times = []
    for item in inputs:
        start = time.perf_counter()
        func(item)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(0)

    import jsonschema
    import py3langid.langid as langid
    from rouge_score import rouge_scorer

    validator = jsonschema.Draft202012Validator(SCHEMA)
    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    identifier = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)
    reference = _prose(rng, 40)

    documents = [
        json.dumps(
            {"name": f"user{i}", "age": rng.randint(0, 90), "tags": ["a"] * rng.randint(0, 5)}
        )
        for i in range(args.samples)
    ]
    texts = [
        " ".join(_prose(rng, rng.randint(8, 20)) for _ in range(rng.randint(3, 12)))
        for _ in range(args.samples)
    ]
    calls = [
        {"name": "search", "arguments": {"query": _prose(rng, 5), "limit": rng.randint(1, 9)}}
        for _ in range(args.samples)
    ]
    expected = calls[0]

    def bare_calls(call: dict[str, Any]) -> bool:
        return json.loads(json.dumps(call["arguments"])) == expected["arguments"]

    def trigrams(text: str) -> float:
        words = text.lower().split()
        grams = list(zip(words, words[1:], words[2:], strict=False))
        return len(set(grams)) / max(1, len(grams))

    tool_messages = [
        _conversation(
            None,
            tool_calls=[
                {
                    "id": "1",
                    "type": "function",
                    "function": {"name": c["name"], "arguments": json.dumps(c["arguments"])},
                }
            ],
        )
        for c in calls
    ]
    pairs: list[tuple[str, Callable[[Any], Any], list[Any], Callable[[Any], Any], list[Any]]] = [
        (
            "json_schema_reward",
            lambda m: json_schema_reward(m, expected_schema=SCHEMA),
            [_conversation(d) for d in documents],
            lambda d: validator.is_valid(json.loads(d)),
            documents,
        ),
        (
            "rouge_reward",
            lambda m: rouge_reward(m, ground_truth=reference),
            [_conversation(t) for t in texts],
            lambda t: scorer.score(reference, t),
            texts,
        ),
        (
            "language_consistency_reward",
            lambda m: language_consistency_reward(m, target_language="en"),
            [_conversation(t) for t in texts],
            identifier.classify,
            texts,
        ),
        (
            "exact_tool_match_reward",
            lambda m: exact_tool_match_reward(m, [expected]),
            tool_messages,
            bare_calls,
            calls,
        ),
        (
            "repetition_penalty_reward",
            repetition_penalty_reward,
            [_conversation(t) for t in texts],
            trigrams,
            texts,
        ),
    ]
    print(
        f"{'reward':30} {'reward us':>10} {'bare us':>10} {'ratio':>7}   ({args.samples} samples)"
    )
    for name, reward, reward_inputs, bare, bare_inputs in pairs:
        reward_us, bare_us = [], []
        for _ in range(3):  # alternate rounds so background load hits both sides alike
            bare_us.append(_median_us(bare, bare_inputs))
            reward_us.append(_median_us(reward, reward_inputs))
        r, b = min(reward_us), min(bare_us)
        print(f"{name:30} {r:10.1f} {b:10.1f} {r / b:7.2f}")


if __name__ == "__main__":
    main()
