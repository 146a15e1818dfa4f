"""Score a Python answer by running it: in an E2B sandbox when ``E2B_API_KEY`` is set.

The response defines ``factorial`` and prints ``factorial(5)``; the reward runs the code and
compares what it prints with the expected output, ``120``. With ``E2B_API_KEY`` the code runs
in E2B's cloud sandbox (``pip install 'reward-kit[e2b]'``); without it, or with
``--environment local``, it runs in reward-kit's local sandbox, offline.

Run from the repository root: ``python examples/e2b_reward_example.py [--environment local]``.
"""

from __future__ import annotations

import argparse
import os

from reward_kit.rewards.code_execution import (
    e2b_code_execution_reward,
    local_code_execution_reward,
)

RESPONSE = """Here is a recursive factorial:

```python
def factorial(n):
    return 1 if n <= 1 else n * factorial(n - 1)

print(factorial(5))
```
"""
MESSAGES = [
    {"role": "user", "content": "Write a Python function that computes a factorial."},
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
    result = reward(MESSAGES, expected_output="120", language="python", timeout=10)
    print(f"Environment: {environment}")
    print(f"Score: {result.score}")
    for name, metric in result.metrics.items():
        print(f"{name}: {metric.reason}")


if __name__ == "__main__":
    main()
