"""The pytest plugin, run by pytest itself (``pytester``, in subprocesses so that the plugin is
found through its entry point): quality gates over a dataset, fixtures, generation with cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests._servers.openai_stub import OpenAIStub

pytest_plugins = ["pytester"]

REWARD = """
from reward_kit import EvaluateResult, reward_function


@reward_function
def exact(messages, ground_truth=None, **kwargs):
    answer = messages[-1].content
    if answer == "boom":
        raise RuntimeError("the reward broke")
    return EvaluateResult(
        score=float(answer == ground_truth),
        reason=f"said {answer!r}, expected {ground_truth!r}",
        metrics={"short": {"score": float(len(answer) < 3), "reason": "under 3 chars"}},
    )
"""


def _rows(*answers: str) -> str:
    rows = [
        {
            "id": f"q{index}",
            "messages": [
                {"role": "user", "content": f"What is {index} + {index}?"},
                {"role": "assistant", "content": answer},
            ],
            "ground_truth": str(2 * index),
        }
        for index, answer in enumerate(answers)
    ]
    return "".join(json.dumps(row) + "\n" for row in rows)


def _gate_test(thresholds: str, **options: str) -> str:
    extra = "".join(f", {key}={value}" for key, value in options.items())
    return (
        REWARD
        + f"""
from reward_kit.testing import evaluation_test


@evaluation_test(dataset="data.jsonl", reward=exact, threshold={thresholds}{extra})
def test_quality(row, result):
    assert row["messages"][0]["role"] == "user"
    assert result.reason.startswith("said")
"""
    )


def test_a_gate_that_holds_passes_every_row_and_the_aggregate(pytester: pytest.Pytester) -> None:
    pytester.makefile(".jsonl", data=_rows("0", "2", "4", "7"))
    pytester.makepyfile(test_gate=_gate_test('["mean >= 0.7", "pass_rate >= 0.75", "short >= 1"]'))
    result = pytester.runpytest_subprocess("-v")
    result.assert_outcomes(passed=5)
    result.stdout.fnmatch_lines(["*test_quality?q0? PASSED*", "*test_quality?aggregate? PASSED*"])


def test_a_missed_threshold_fails_with_the_samples_that_did_not_pass(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(".jsonl", data=_rows("0", "2", "five", "6"))
    pytester.makepyfile(test_gate=_gate_test('["mean >= 0.8", "ci_low >= 0.5", "short >= 0.5"]'))
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*reward quality gate failed: 2 of 4 thresholds missed (4 samples of data.jsonl)",
            "*mean >= 0.8: FAILED, measured 0.75",
            "*ci_low >= 0.5: FAILED, measured 0.*",
            "*short >= 0.5: ok, measured 0.75",
            "*invalid <= 0: ok, measured 0",
            "*samples below 1 or not scored (1 of 4):",
            "*?q2? score 0, reason: said 'five', expected '4'",
            "*user: What is 2 + 2? | assistant: five | ground truth: 4",
        ]
    )


def test_a_sample_that_cannot_be_scored_fails_its_row(pytester: pytest.Pytester) -> None:
    pytester.makefile(".jsonl", data=_rows("0", "boom", "4"))
    pytester.makepyfile(
        test_strict=_gate_test('"mean >= 0.5"'),
        test_lenient=_gate_test('"mean >= 0.5"', max_invalid="1").replace(
            "def test_quality", "def test_lenient_quality"
        ),
    )
    result = pytester.runpytest_subprocess("-rxf")
    result.assert_outcomes(passed=5, failed=2, xfailed=1)
    result.stdout.fnmatch_lines(
        [
            "*_ test_quality?q1? _*",
            "could not be scored: RuntimeError: the reward broke*",
            "*invalid <= 0: FAILED, measured 1",
        ]
    )


def test_the_fixtures_come_from_the_installed_plugin(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_unit=REWARD
        + """
from reward_kit.testing import assert_score


def test_right_answer(reward_kit_messages, reward_kit_worker):
    messages = reward_kit_messages("What is 2 + 2?", "4")
    assert_score(exact(messages, ground_truth="4"), 1.0)
    assert_score(reward_kit_worker(exact, messages, "4"), 1.0)


def test_wrong_answer_explains(reward_kit_messages):
    assert_score(exact(reward_kit_messages("What is 2 + 2?", "5"), ground_truth="4"), 1.0)
"""
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*expected score 1.0, got:", "*reason: said '5', expected '4'"])


def test_responses_are_generated_once_then_come_from_the_cache(
    pytester: pytest.Pytester, openai_stub: OpenAIStub, tmp_path: Path
) -> None:
    questions = [
        {"id": f"q{i}", "user_query": f"What is {i} + {i}?", "ground_truth": str(2 * i)}
        for i in range(3)
    ]
    pytester.makefile(".jsonl", data="".join(json.dumps(q) + "\n" for q in questions))
    openai_stub.responder = lambda request: "2" if "1 + 1" in request.last_user_text else "0"
    generation = {
        "api_base": openai_stub.url,
        "api_key_env": None,
        "cache": {"path": str(tmp_path / "cache.sqlite")},
    }
    pytester.makepyfile(
        test_generated=_gate_test(
            '"mean >= 0.6"', model='"stub-model"', generation=repr(generation)
        )
    )
    first = pytester.runpytest_subprocess()
    first.assert_outcomes(passed=4)
    assert len(openai_stub.chat_requests) == 3
    again = pytester.runpytest_subprocess()
    again.assert_outcomes(passed=4)
    assert len(openai_stub.chat_requests) == 3  # all from the cache
