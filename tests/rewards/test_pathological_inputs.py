"""Adversarial long responses must be scored in linear-ish time, never hang a worker.

Each reward runs on each input in a subprocess with a generous limit, so a regression to
catastrophic backtracking or quadratic scanning fails here instead of hanging the suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import json, sys
from reward_kit.rewards.format import format_reward
from reward_kit.rewards.tag_count import tag_count_reward
from reward_kit.rewards.reasoning_steps import reasoning_steps_reward
from reward_kit.rewards.json_schema import json_schema_reward
from reward_kit.rewards.repetition import repetition_penalty_reward, diversity_reward
from reward_kit.rewards.function_calling import exact_tool_match_reward, schema_jaccard_reward
from reward_kit.rewards.length import length_reward
from reward_kit.rewards.language_consistency import language_consistency_reward

texts = json.loads(sys.stdin.read())
rewards = [
    (format_reward, {}), (tag_count_reward, {}), (reasoning_steps_reward, {}),
    (json_schema_reward, {"expected_schema": {"type": "object"}}),
    (repetition_penalty_reward, {}), (diversity_reward, {}), (length_reward, {"target_length": 9}),
    (exact_tool_match_reward, {"ground_truth": []}), (schema_jaccard_reward, {"ground_truth": []}),
    (language_consistency_reward, {"target_language": "en"}),
]
for text in texts:
    messages = [{"role": "user", "content": "q"}, {"role": "assistant", "content": text}]
    for reward, options in rewards:
        result = reward(messages, **options)
        assert result.is_score_valid, (reward, result.error)
print("ok")
"""

TEXTS = [
    "<think>" + "a b " * 25_000,
    "<think>" + "x " * 25_000 + "</think><answer>" + " y" * 25_000,
    "<think>" + " " * 100_000 + "</think><answer>1</answer>",
    "<think>" * 20_000,
    "<think>a</think>" + "<answer>" * 20_000,
    "<tool_call>{" * 10_000,
    '{"a":' * 50_000,
    "[1," * 30_000,
    "{" * 100_000,
    "Step 1: " * 20_000,
    "1.\n" * 50_000,
    "```" * 30_000,
    "\\(" * 30_000,
    "$$" * 30_000 + "$",
]


def test_long_adversarial_responses_finish() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        input=json.dumps(TEXTS),
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert completed.stdout.strip() == "ok"
