"""Use E2B when an API key is available, and fall back to local execution when it is not.

The choice is made once, from ``E2B_API_KEY``: with a key the response's code runs in an E2B
sandbox (``pip install 'reward-kit[e2b]'``), without one in reward-kit's local sandbox. Both
rewards take the same arguments and return the same metrics, so the rest of the code does not
change. Two responses are scored: one right (prints ``[1, 4, 9]``) and one wrong.

Run from the repository root: ``python examples/e2b_fallback_example.py``.
"""

from __future__ import annotations

import os

from reward_kit.rewards.code_execution import (
    e2b_code_execution_reward,
    local_code_execution_reward,
)

PROMPT = {"role": "user", "content": "Print the squares of 1, 2 and 3 as a Python list."}
RESPONSES = {
    "right": "```python\nprint([n * n for n in range(1, 4)])\n```",
    "wrong": "```python\nprint([n * 2 for n in range(1, 4)])\n```",
}

api_key = os.environ.get("E2B_API_KEY")
if api_key:
    print("Using E2B (E2B_API_KEY is set)")
else:
    print("Using local execution (no E2B_API_KEY)")

for name, response in RESPONSES.items():
    messages = [PROMPT, {"role": "assistant", "content": response}]
    if api_key:
        result = e2b_code_execution_reward(
            messages, expected_output="[1, 4, 9]", language="python", api_key=api_key
        )
    else:
        result = local_code_execution_reward(
            messages, expected_output="[1, 4, 9]", language="python"
        )
    print(f"{name}: score {result.score} ({result.metrics['output_match'].reason})")
