"""The expected output read from the prompt: no ``expected_output`` argument is given.

The prompt says "Expected output: 15"; passing the prompt as ``original_messages`` lets the
reward read the expected output from it, run the response's code and compare. With
``E2B_API_KEY`` the code runs in E2B's cloud sandbox (``pip install 'reward-kit[e2b]'``);
without it, or with ``--environment local``, it runs in reward-kit's local sandbox, offline.

Run from the repository root: ``python examples/e2b_auto_extract_example.py [--environment local]``.
"""

from __future__ import annotations

import argparse
import os

from reward_kit.rewards.code_execution import (
    e2b_code_execution_reward,
    local_code_execution_reward,
)

PROMPT = "Write a Python function summing a list. Expected output: 15 (for [1, 2, 3, 4, 5])"
RESPONSE = """```python
def sum_list(numbers):
    return sum(numbers)

print(sum_list([1, 2, 3, 4, 5]))
```"""
MESSAGES = [
    {"role": "user", "content": PROMPT},
    {"role": "assistant", "content": RESPONSE},
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--environment",
        choices=["e2b", "local"],
        default="e2b" if os.environ.get("E2B_API_KEY") else "local",
        help="where the code runs (default: e2b when E2B_API_KEY is set, else local)",
    )
    environment = parser.parse_args().environment
    reward = e2b_code_execution_reward if environment == "e2b" else local_code_execution_reward
    result = reward(MESSAGES, original_messages=MESSAGES[:1], language="python", timeout=10)
    print(f"Environment: {environment}")
    print(f"Score: {result.score}")
    for name, metric in result.metrics.items():
        print(f"{name}: {metric.reason}")


if __name__ == "__main__":
    main()
