"""evaluate_apps_solution on APPS-format problems."""

from __future__ import annotations

import json

import pytest

from reward_kit.rewards.apps_coding_reward import evaluate_apps_solution
from tests.rewards.conversations import answer, reply


def test_standard_input_problem_from_json() -> None:
    truth = json.dumps({"inputs": ["3\n1 2 3\n", ["2", "5 5"]], "outputs": ["6\n", ["10"]]})
    code = "input()\nprint(sum(map(int, input().split())))"
    assert evaluate_apps_solution(answer(code), ground_truth=truth).score == 1.0
    half = "n = int(input())\nprint(6)"
    assert evaluate_apps_solution(answer(half), ground_truth=truth).score == pytest.approx(0.5)


def test_call_based_problem_keeps_working() -> None:
    truth = {"fn_name": "add", "inputs": [[1, 2], [5, 5]], "outputs": [[3], [10]]}
    assert evaluate_apps_solution(answer("def add(a, b):\n    return a + b"), truth).score == 1.0
    wrong = evaluate_apps_solution(answer("def add(a, b):\n    return a - b"), truth)
    assert (wrong.score, wrong.is_score_valid) == (0.0, True)


def test_malformed_problem_is_reported() -> None:
    result = evaluate_apps_solution(answer("print(1)"), {"inputs": ["1"], "outputs": []})
    assert not result.is_score_valid and "same length" in (result.error or "")


def test_parse_only_mode_checks_syntax_without_running() -> None:
    parses = reply("```python\nimport sys\nprint(int(sys.stdin.read()) * 2)\n```")
    broken = reply("```python\ndef main(:\n    pass\n```")
    bare = reply("print(input())")
    assert evaluate_apps_solution(parses, None, parse_only=True).score == 1.0
    assert evaluate_apps_solution(broken, None, parse_only=True).score == 0.0
    assert evaluate_apps_solution(bare, None, parse_only=True).score == 1.0
    # The default still runs the tests: parsing is not passing.
    tests = {"inputs": ["2\n"], "outputs": ["5\n"]}
    assert evaluate_apps_solution(parses, tests).score == 0.0
