"""reward-kit's "Code Execution with E2B" and "Code Execution Evaluation" pages, run as written.

The E2B examples run against the local E2B stand-in (real SDK, real HTTP). Deliberate
differences (strict output comparison, partial credit only on request) are in
docs/migration.md.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest

from reward_kit.rewards import code_execution
from reward_kit.rewards._code import _run
from reward_kit.rewards._options import RewardOptionWarning
from reward_kit.rewards.code_execution import (
    binary_code_reward,
    compare_outputs,
    e2b_code_execution_reward,
    execute_code_with_e2b,
    execute_javascript_code,
    execute_python_code,
    extract_code_blocks,
    fractional_code_reward,
    local_code_execution_reward,
)

FACTORIAL = """Here's a Python function to calculate the factorial of a number:

```python
def factorial(n):
    if n == 0 or n == 1:
        return 1
    return n * factorial(n - 1)

print(factorial(5))
```

For n = 5 it prints 120."""
MESSAGES = [
    {"role": "user", "content": "Write a Python function to calculate the factorial of a number."},
    {"role": "assistant", "content": FACTORIAL},
]
PALINDROME = """```javascript
function isPalindrome(s) {
  const t = s.toLowerCase().replace(/[^a-z0-9]/g, '');
  return t === t.split('').reverse().join('');
}
console.log(isPalindrome("A man, a plan, a canal: Panama"));
console.log(isPalindrome("hello"));
```"""


def test_basic_usage_scores_the_documented_output() -> None:
    """Code Execution Evaluation, Basic Usage: expected_output="120"."""
    result = local_code_execution_reward(
        messages=MESSAGES, expected_output="120", language="python", timeout=5
    )
    assert result.score == 1.0
    for key in ("extracted_code", "expected_output", "execution_result", "output_match"):
        assert key in result.metrics
    assert "factorial(5)" in result.metrics["extracted_code"].reason


def test_expected_output_is_never_ignored() -> None:
    """The reward hack of the issue: a program printing 120 must not pass for "999"."""
    result = local_code_execution_reward(messages=MESSAGES, expected_output="999")
    assert (result.score, result.is_score_valid) == (0.0, True)
    assert result.metrics["output_match"].success is False


def test_javascript_example_and_advanced_options() -> None:
    """Code Execution Evaluation, JavaScript Execution and Advanced Options."""
    js = [{"role": "user", "content": "palindrome?"}, {"role": "assistant", "content": PALINDROME}]
    result = local_code_execution_reward(
        messages=js, expected_output="true\nfalse", language="javascript", timeout=5
    )
    assert result.score == 1.0
    assert (
        local_code_execution_reward(
            messages=MESSAGES,
            expected_output="120",
            language="python",
            timeout=10,
            max_memory_mb=200,
        ).score
        == 1.0
    )


@pytest.mark.parametrize(
    ("prompt", "printed", "score"),
    [
        ("For n=5, the expected output is 15.", "sum(range(1, 6))", 1.0),
        (
            "Find the sum of a list. Expected output: 15 (for [1,2,3,4,5])",
            "sum([1, 2, 3, 4, 5])",
            1.0,
        ),
        ("For n=5, the expected output is 15.", "16", 0.0),
    ],
)
def test_expected_output_from_the_prompt(prompt: str, printed: str, score: float) -> None:
    """Automatic Expected Output Extraction / Conversation with expected output in the prompt."""
    messages = [
        {"role": "user", "content": prompt},
        {"role": "assistant", "content": f"```python\nprint({printed})\n```"},
    ]
    result = local_code_execution_reward(
        messages=messages, original_messages=messages, language="python"
    )
    assert result.score == score
    assert "15" in result.metrics["expected_output"].reason


def test_output_comparison_partial_credit_when_asked() -> None:
    """Output Comparison: a list with one extra element, 2 of 3 lines (structural credit)."""
    assert compare_outputs("Hello, world!", "Hello, world!") == 1.0
    assert compare_outputs("[1, 2, 3, 4]", "[1, 2, 3]") == 0.75
    assert compare_outputs("Line 1\nLine 2\nLine X", "Line 1\nLine 2\nLine 3") == pytest.approx(
        2 / 3
    )
    extra = [
        {"role": "user", "content": "list"},
        {"role": "assistant", "content": "```python\nprint([1, 2, 3, 4])\n```"},
    ]
    strict = local_code_execution_reward(messages=extra, expected_output="[1, 2, 3]")
    partial = local_code_execution_reward(
        messages=extra, expected_output="[1, 2, 3]", partial_credit=True
    )
    assert (strict.score, partial.score) == (0.0, 0.75)


def test_helpers_run_sandboxed() -> None:
    """The module's documented helpers: extract, execute (sandboxed), compare."""
    blocks = extract_code_blocks(FACTORIAL, "python")
    assert [b["language"] for b in blocks] == ["python"]
    assert execute_python_code(blocks[0]["code"], timeout=5) == {
        "success": True,
        "output": "120",
        "error": None,
    }
    assert execute_javascript_code("console.log(2 + 2)")["output"] == "4"
    failed = execute_python_code("import os; print(open('/etc/shadow').read())")
    assert failed["success"] is False and failed["output"] is None


def test_fractional_and_binary_with_test_cases() -> None:
    """fractional_code_reward(test_cases=...) needs no ground_truth; binary_code_reward."""
    adder = [
        {"role": "user", "content": "Read two integers and print their sum."},
        {
            "role": "assistant",
            "content": "```python\na, b = map(int, input().split())\nprint(a + b)\n```",
        },
    ]
    tests = [
        {"input": "1 2\n", "expected_output": "3"},
        {"input": "2 2\n", "expected_output": "5"},
    ]
    fraction = fractional_code_reward(messages=adder, test_cases=tests)
    assert fraction.score == 0.5 and "pass_rate" in fraction.metrics
    assert binary_code_reward(messages=adder, test_cases=tests).score == 0.0
    assert binary_code_reward(messages=adder, test_cases=tests[:1]).score == 1.0


def test_a_misspelt_option_warns() -> None:
    with pytest.warns(RewardOptionWarning, match="expected_output"):
        local_code_execution_reward(messages=MESSAGES, expected_ouptut="120")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        local_code_execution_reward(messages=MESSAGES, difficulty="easy")  # a dataset column


@pytest.fixture
def e2b_standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    pytest.importorskip("e2b_code_interpreter")
    from tests._servers.e2b_standin import running_e2b_standin

    with running_e2b_standin("e2b_compat_key") as server:
        monkeypatch.setenv("E2B_API_URL", server.url)
        monkeypatch.setenv("E2B_SANDBOX_URL", server.url)
        monkeypatch.setenv("E2B_HTTP_VERSION", "1.1")
        try:
            yield "e2b_compat_key"
        finally:
            executor = _run._e2b.pop("e2b_compat_key", None)
            if executor is not None:
                executor.close()


def test_e2b_page_examples(e2b_standin: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Code Execution with E2B: Basic Usage, expected output in the prompt, fallback."""
    result = e2b_code_execution_reward(
        messages=MESSAGES, expected_output="120", language="python", api_key=e2b_standin, timeout=10
    )
    assert result.score == 1.0 and "output_match" in result.metrics
    wrong = e2b_code_execution_reward(messages=MESSAGES, expected_output="999", api_key=e2b_standin)
    assert wrong.score == 0.0
    prompt = [
        {"role": "user", "content": "Sum a list. Expected output: 15 (for [1,2,3,4,5])"},
        {"role": "assistant", "content": "```python\nprint(sum([1, 2, 3, 4, 5]))\n```"},
    ]
    auto = e2b_code_execution_reward(
        messages=prompt, original_messages=prompt, language="python", api_key=e2b_standin
    )
    assert auto.score == 1.0
    assert execute_code_with_e2b("print(6 * 7)", api_key=e2b_standin)["output"] == "42"
    monkeypatch.delenv("E2B_API_KEY", raising=False)
    api_key = None  # the page's fallback: no key, so run locally
    fallback = (
        e2b_code_execution_reward(messages=MESSAGES, expected_output="120", api_key=api_key)
        if api_key
        else local_code_execution_reward(messages=MESSAGES, expected_output="120")
    )
    assert fallback.score == 1.0
    assert "binary_code_reward" in code_execution.__all__
