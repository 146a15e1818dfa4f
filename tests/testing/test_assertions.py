"""assert_score explains itself; thresholds read and check; the worker fixture's helper."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from reward_kit import EvaluateResult, MetricResult
from reward_kit.testing import assert_score, build_messages, parse_threshold
from reward_kit.testing._worker import score_in_worker


def exact(messages: list[Any], ground_truth: Any = None, **kwargs: Any) -> EvaluateResult:
    return EvaluateResult(score=float(messages[-1]["content"] == ground_truth), reason="compared")


def test_build_messages_alternates_turns_after_an_optional_system_prompt() -> None:
    assert build_messages("2+2?", "4", system="be brief") == [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "2+2?"},
        {"role": "assistant", "content": "4"},
    ]


def test_assert_score_shows_reason_error_and_metrics_on_failure() -> None:
    result = EvaluateResult(
        score=0.5, reason="half right", metrics={"format": MetricResult(score=1.0, reason="ok")}
    )
    assert_score(result, 0.5)
    assert_score(result, at_least=0.5, at_most=0.5)
    with pytest.raises(AssertionError) as failure:
        assert_score(result, 1.0)
    message = str(failure.value)
    assert "expected score 1.0" in message
    assert "reason: half right" in message and "metric format: 1.0 (ok)" in message
    invalid = EvaluateResult.invalid("no answer found")
    assert_score(invalid, valid=False)
    with pytest.raises(AssertionError, match="error: no answer found"):
        assert_score(invalid, 0.0)


def test_thresholds_read_and_check() -> None:
    gate = parse_threshold("ci_low >= 0.6")
    assert gate.check({"ci_low": 0.7}) == (True, "ci_low >= 0.6: ok, measured 0.7")
    assert gate.check({"ci_low": 0.5})[0] is False
    assert "not measured" in gate.check({"ci_low": None})[1]
    assert "unknown (known: mean)" in parse_threshold("accuracy > 1").check({"mean": 1.0})[1]
    with pytest.raises(ValueError, match="expected '<statistic> <op> <number>'"):
        parse_threshold("mean is at least 0.8")


def test_scoring_in_a_worker_fails_the_test_for_a_reward_that_cannot_be_sent() -> None:
    assert score_in_worker(exact, build_messages("2+2?", "4"), "4").score == 1.0
    lock = threading.Lock()

    def locked(messages: list[Any], **kwargs: Any) -> EvaluateResult:
        with lock:
            return EvaluateResult(score=1.0)

    with pytest.raises(pytest.fail.Exception, match="it refers to 'lock'"):
        score_in_worker(locked, build_messages("2+2?", "4"))
