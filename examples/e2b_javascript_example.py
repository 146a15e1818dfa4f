"""Score a JavaScript answer by running it: in an E2B sandbox when ``E2B_API_KEY`` is set.

The response defines ``fibonacci`` and logs ``fibonacci(10)``; the reward runs the code and
compares what it prints with the expected output, ``55``. With ``E2B_API_KEY`` the code runs
in E2B's cloud sandbox (``pip install 'reward-kit[e2b]'``); without it, or with
``--environment local``, it runs in reward-kit's local sandbox, offline.

Run from the repository root: ``python examples/e2b_javascript_example.py [--environment local]``.
"""

from __future__ import annotations

import argparse
import os

from reward_kit.rewards.code_execution import (
    e2b_code_execution_reward,
    local_code_execution_reward,
)

RESPONSE = """An iterative version:

```javascript
function fibonacci(n) {
  let [a, b] = [0, 1];
  for (let i = 0; i < n; i++) [a, b] = [b, a + b];
  return a;
}
console.log(fibonacci(10));
```
"""
MESSAGES = [
    {"role": "user", "content": "Write a JavaScript function returning the n-th Fibonacci number."},
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
    result = reward(MESSAGES, expected_output="55", language="javascript", timeout=10)
    print(f"Environment: {environment}")
    print(f"Score: {result.score}")
    for name, metric in result.metrics.items():
        print(f"{name}: {metric.reason}")


if __name__ == "__main__":
    main()
