"""math_reward end to end: real worker processes, malformed input, time limits, concurrency."""

import asyncio
import importlib
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from reward_kit import reward_function
from reward_kit.errors import InvalidMessageError
from reward_kit.models import EvaluateResult, Message
from reward_kit.rewards.math import math_reward
from reward_kit.scoring import score_batch

QUESTION = {"role": "user", "content": "Compute 1/2 + 1/4."}
TOOL_CALL = {"id": "c1", "type": "function", "function": {"name": "calc", "arguments": "{}"}}
PATHOLOGICAL = "The answer is $\\boxed{9^{9^{9^{9^{9}}}}}$"


def convo(response: str, question: dict = QUESTION) -> list[dict]:
    return [question, {"role": "assistant", "content": response}]


def assert_invalid(result: EvaluateResult, fragment: str) -> None:
    assert result.is_score_valid is False
    assert result.score == 0.0
    assert result.error is not None
    assert fragment in result.error


def test_correct_answer_scores_one_with_metrics() -> None:
    result = math_reward(convo("1/2 + 1/4 = 3/4, so $\\boxed{\\frac{3}{4}}$."), "0.75")
    assert (result.score, result.is_score_valid) == (1.0, True)
    assert result.metrics["answer_extraction"].reason == "boxed: '\\frac{3}{4}'"
    assert result.metrics["answer_accuracy"].success is True
    assert "extracted_value=3/4" in result.metrics["answer_accuracy"].reason


def test_wrong_answer_is_a_valid_zero() -> None:
    result = math_reward(convo("$\\boxed{\\frac{1}{2}}$"), "0.75")
    assert (result.score, result.is_score_valid, result.error) == (0.0, True, None)
    assert "not equivalent" in (result.reason or "")


@pytest.mark.parametrize(
    "ground_truth",
    [
        "3/4",
        0.75,
        "\\frac{3}{4}",
        "We add: 2/4 + 1/4 = 3/4 = 0.75\n#### 0.75",
        "The sum is $\\boxed{\\frac34}$.",
        [QUESTION, {"role": "assistant", "content": "\\boxed{0.75}"}],
    ],
)
def test_ground_truth_forms(ground_truth: object) -> None:
    assert math_reward(convo("So the answer is \\boxed{3/4}"), ground_truth).score == 1.0


def test_integer_ground_truth_and_gsm8k_response() -> None:
    assert math_reward(convo("48 + 24 = 72\n#### 72"), 72).score == 1.0
    assert math_reward(convo("48 + 24 = 73\n#### 73"), 72).score == 0.0


def test_reasoning_is_ignored() -> None:
    hidden = "<think>maybe \\boxed{3/4}</think>I am not sure, \\boxed{1/2}"
    assert math_reward(convo(hidden), "3/4").score == 0.0
    prefilled = "the model thinks \\boxed{1/2} ... </think> Final: \\boxed{3/4}"
    assert math_reward(convo(prefilled), "3/4").score == 1.0
    cut_off = "<think> long reasoning 3/4 never finished"
    result = math_reward(convo(cut_off), "3/4")
    assert (result.score, result.is_score_valid) == (0.0, True)


@pytest.mark.parametrize(
    "response",
    [
        "\\boxed{3/4} hmm, or rather \\boxed{1/2}",
        "Candidates: 0.75, 0.5, 0.25, 1, 2, 3",
        "\\boxed{0.25, 0.5, 0.75, 1}",
        "The answer is 0.75 or 0.5",
    ],
)
def test_gaming_earns_nothing(response: str) -> None:
    assert math_reward(convo(response), "0.75").score == 0.0


@pytest.mark.parametrize(
    ("response", "gold"),
    [
        ("\\boxed{\\frac{1}{2006!}}", "\\frac{1}{2004!}"),
        ("\\boxed{1+\\frac{1}{e}}", "1-\\frac{1}{e}"),
        ("\\boxed{3}", "\\pm 3"),
        ("\\boxed{\\frac{1}{2^{98}}}", "\\frac{1}{2^{99}}"),
        ("\\boxed{1001}", "1000"),
    ],
)
def test_math_verify_false_positives_rejected(response: str, gold: str) -> None:
    result = math_reward(convo(response), gold)
    assert (result.score, result.is_score_valid) == (0.0, True)


def test_percent_follows_the_question() -> None:
    percent_q = {"role": "user", "content": "What percent of 80 is 20?"}
    assert math_reward(convo("\\boxed{25\\%}", percent_q), "25").score == 1.0
    assert math_reward(convo("\\boxed{25}", percent_q), "25").score == 1.0
    fraction_q = {"role": "user", "content": "What fraction of 80 is 20?"}
    assert math_reward(convo("\\boxed{25\\%}", fraction_q), "0.25").score == 1.0
    assert math_reward(convo("\\boxed{25\\%}", fraction_q), "25").score == 0.0


def test_options_reach_the_worker() -> None:
    assert math_reward(convo("\\boxed{3.14}"), "\\pi").score == 0.0
    assert math_reward(convo("\\boxed{3.14}"), "\\pi", tolerance=1e-3).score == 1.0
    assert math_reward(convo("\\boxed{5}"), "5 \\text{ m}", require_units=True).score == 0.0


TOOL_ONLY = [QUESTION, {"role": "assistant", "content": None, "tool_calls": [TOOL_CALL]}]


@pytest.mark.parametrize(
    ("messages", "ground_truth", "fragment"),
    [
        ([], "1", "messages is empty"),
        ([QUESTION], "1", "no assistant turn"),
        ([QUESTION, {"role": "assistant", "content": None}], "1", "content is None"),
        (TOOL_ONLY, "1", "only calls tools"),
        (convo("\\boxed{1}"), None, "ground_truth is required"),
        (convo("\\boxed{1}"), {"answer": 1}, "must be a string or a number"),
        (convo("\\boxed{1}"), "   ", "ground_truth is empty"),
        (convo("\\boxed{1}"), "\\frac{", "could not parse the ground truth"),
    ],
)
def test_malformed_input_is_invalid_not_zero(
    messages: list, ground_truth: object, fragment: str
) -> None:
    assert_invalid(math_reward(messages, ground_truth), fragment)


def test_malformed_message_raises_a_clear_error() -> None:
    with pytest.raises(InvalidMessageError, match=r"messages\[1\]"):
        math_reward([QUESTION, {"content": "no role"}], "1")


def test_content_parts_are_read() -> None:
    parts = [{"type": "text", "text": "It is"}, {"type": "text", "text": "\\boxed{0.75}"}]
    messages = [QUESTION, {"role": "assistant", "content": parts}]
    assert math_reward(messages, "3/4").score == 1.0


@pytest.mark.slow
def test_pathological_power_times_out_and_the_pool_recovers() -> None:
    start = time.monotonic()
    result = math_reward(convo(PATHOLOGICAL), "3", timeout=2)
    assert time.monotonic() - start < 15  # the bound (2 s) plus generous slack for a busy box
    assert_invalid(result, "timed out after 2 s")
    assert math_reward(convo("\\boxed{3/4}"), "0.75").score == 1.0


@pytest.mark.slow
def test_100kb_responses_return_within_the_bound() -> None:
    long_correct = "Let me think step by step. 1 + 1 = 2. " * 2700 + "\\boxed{3/4}"
    assert len(long_correct) > 100_000
    assert math_reward(convo(long_correct), "0.75").score == 1.0
    nested = "\\boxed{" + "\\frac{1}{" * 12_000 + "2" + "}" * 12_001
    start = time.monotonic()
    result = math_reward(convo(nested), "0.75", timeout=3)
    assert time.monotonic() - start < 20
    assert result.score == 0.0  # wrong, or invalid if it ran out of time: never a hang


def test_runs_in_threads_where_signal_alarm_would_fail() -> None:
    responses = [f"\\boxed{{{n}/4}}" for n in range(8)]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda r: math_reward(convo(r), "0.75"), responses))
    assert [r.score for r in results] == [1.0 if n == 3 else 0.0 for n in range(8)]
    assert all(r.is_score_valid for r in results)


def test_runs_in_asyncio_tasks() -> None:
    async def main() -> list[EvaluateResult]:
        calls = [math_reward.acall(convo(f"\\boxed{{{n}/4}}"), "0.75") for n in range(6)]
        return await asyncio.gather(*calls)

    assert [r.score for r in asyncio.run(main())] == [0, 0, 0, 1, 0, 0]


@pytest.mark.slow
def test_score_batch_keeps_order_and_isolates_a_timeout() -> None:
    samples = [
        {"messages": convo(f"\\boxed{{{n}}}"), "ground_truth": str(n % 3)} for n in range(12)
    ]
    samples.insert(5, {"messages": convo(PATHOLOGICAL), "ground_truth": "3", "timeout": 2})
    results = score_batch(math_reward, samples)
    assert len(results) == 13
    assert_invalid(results[5], "timed out")
    rest = results[:5] + results[6:]
    assert [r.score for r in rest] == [1.0 if n < 3 else 0.0 for n in range(12)]


@reward_function
def half_credit_math(messages: list[Message], ground_truth: str, **kwargs: Any) -> EvaluateResult:
    """A user's reward composing math_reward; score_batch runs it in its own worker processes."""
    inner = math_reward(messages, ground_truth, **kwargs)
    return EvaluateResult(score=inner.score / 2, reason=inner.reason, error=inner.error)


@pytest.mark.slow
def test_math_reward_composed_inside_a_scoring_worker() -> None:
    samples = [
        {"messages": convo("\\boxed{3/4}"), "ground_truth": "0.75"},
        {"messages": convo("\\boxed{1/4}"), "ground_truth": "0.75"},
        {"messages": convo(PATHOLOGICAL), "ground_truth": "3"},
    ]
    results = score_batch(half_credit_math, samples, timeout=60)
    assert [r.score for r in results[:2]] == [0.5, 0.0]
    assert_invalid(results[2], "timed out")  # by the worker's own math pool, within 5 s


@reward_function
async def async_half_credit_math(
    messages: list[Message], ground_truth: str, **kwargs: Any
) -> EvaluateResult:
    """The recommended way to compose: await acall, so the math pool bounds the time."""
    inner = await math_reward.acall(messages, ground_truth, timeout=4)
    return EvaluateResult(score=inner.score / 2, reason=inner.reason, error=inner.error)


@pytest.mark.slow
def test_async_composition_is_bounded_without_a_batch_timeout() -> None:
    samples = [
        {"messages": convo("\\boxed{3/4}"), "ground_truth": "0.75"},
        {"messages": convo(PATHOLOGICAL), "ground_truth": "3"},
    ]
    results = score_batch(async_half_credit_math, samples)
    assert results[0].score == 0.5
    assert_invalid(results[1], "timed out after 4 s")


@pytest.mark.parametrize(
    ("module_name", "name"),
    [
        ("reward_kit.rewards.math", "math_reward"),
        ("reward_kit.rewards.multiple_choice_math_reward", "multiple_choice_math_reward"),
        ("reward_kit.rewards.list_comparison_math_reward", "list_comparison_math_reward"),
        ("reward_kit.rewards.accuracy", "accuracy_reward"),
    ],
)
def test_public_names(module_name: str, name: str) -> None:
    module = importlib.import_module(module_name)
    assert name in module.__all__
    assert getattr(module, name).__reward_kit__.name == name


def test_importing_the_math_rewards_defers_sympy() -> None:
    code = (
        "import sys, reward_kit.rewards.math, reward_kit.rewards.accuracy; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sympy', 'math_verify'}))"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def _labelled_results() -> list[tuple[Any, EvaluateResult]]:
    from tests.rewards._math.labelled import CASES

    async def main() -> list[EvaluateResult]:
        calls = [
            math_reward.acall(convo(response, {"role": "user", "content": q}), gold)
            for q, response, gold, _ in CASES
        ]
        return await asyncio.gather(*calls)

    return list(zip(CASES, asyncio.run(main()), strict=True))


def test_labelled_set_accuracy_and_no_false_positives() -> None:
    """The realistic hand-labelled set (tests/rewards/_math/labelled.py): >= 98%, no false
    positive. Run with -s to see the figures."""
    results = _labelled_results()
    wrong = [(case, r.reason) for case, r in results if (r.score == 1.0) != case[3]]
    false_positives = [(case, reason) for case, reason in wrong if not case[3]]
    accuracy = 1 - len(wrong) / len(results)
    print(
        f"\nlabelled set: {len(results)} cases, {accuracy:.1%} correct, "
        f"{len(false_positives)} false positives"
    )
    for case, reason in wrong:
        print("  MISS", case, reason)
    assert all(r.is_score_valid for _, r in results)
    assert not false_positives
    assert accuracy >= 0.98


def test_reward_kit_metric_names() -> None:
    from reward_kit.rewards.math import math_reward

    messages = [
        {"role": "user", "content": "What is 2 + 2?"},
        {"role": "assistant", "content": "So the answer is \\boxed{4}."},
    ]
    result = math_reward(messages, ground_truth="4")
    assert result.metrics["answer_comparison"].score == 1.0
    assert result.metrics["extracted_generated_answers"].success
    assert result.metrics["extracted_original_answers"].reason == "reference: 4"
