"""Tests of reward_kit.rewards.llm_judge against an OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from reward_kit.rewards._judge import JudgeError, parse_score
from reward_kit.rewards.llm_judge import llm_judge_reward
from tests._servers.openai_stub import (
    OpenAIStub,
    Reply,
    completion,
    error,
    malformed,
    rate_limited,
    server_error,
)
from tests.rewards.conversations import MALFORMED_CONVERSATIONS, reply

ANSWER = reply("<think>2+2 is 4, easy</think>The answer is 4.", prompt="What is 2+2?")


def judge(openai_stub: OpenAIStub, messages: list = ANSWER, **options: Any) -> Any:
    settings = {
        "model": "judge-model",
        "base_url": openai_stub.url,
        "api_key_env": None,
        "max_retries": 1,
    }
    return llm_judge_reward(messages, **{**settings, **options})


def test_grade_is_normalised_and_explained(openai_stub: OpenAIStub) -> None:
    openai_stub.responder = lambda request: "Correct and concise.\nSCORE: 9"
    result = judge(openai_stub, ground_truth="4", rubric="Is the sum right?")
    assert result.is_score_valid and result.score == pytest.approx(0.9)
    assert result.metrics["llm_judge_raw_score"].score == 9.0
    assert "Correct and concise" in result.reason
    body = openai_stub.chat_requests[0].json
    assert body["model"] == "judge-model" and body["temperature"] == 0.0
    prompt = body["messages"][1]["content"]
    assert "Is the sum right?" in prompt and "# Reference answer\n4" in prompt
    assert "What is 2+2?" in prompt and "The answer is 4." in prompt
    assert "2+2 is 4, easy" not in prompt  # reasoning is hidden unless include_thinking=True


def test_thinking_can_be_shown_and_a_message_list_is_a_reference(openai_stub: OpenAIStub) -> None:
    openai_stub.responder = lambda request: "SCORE: 10"
    reference = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "Four."}]
    judge(openai_stub, ground_truth=reference, include_thinking=True)
    prompt = openai_stub.chat_requests[0].json["messages"][1]["content"]
    assert "2+2 is 4, easy" in prompt and "# Reference answer\nFour." in prompt


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SCORE: 7", 7.0),
        ("Reasoning...\n**Score:** 8.5", 8.5),
        ("Score = 3/10", 3.0),
        ("Final score: 4/5", 8.0),
        ("First I thought SCORE: 2\nbut on reflection\nSCORE: 6", 6.0),
        ('{"reason": "fine", "score": 5}', 5.0),
        ("  9 ", 9.0),
    ],
)
def test_scores_are_parsed_robustly(text: str, expected: float) -> None:
    assert parse_score(text, 0.0, 10.0) == expected


@pytest.mark.parametrize(
    "text", ["great answer", "SCORE: 11", "SCORE: -1", "The score is high", "", "8/0"]
)
def test_unusable_scores_raise(text: str) -> None:
    with pytest.raises(JudgeError):
        parse_score(text, 0.0, 10.0)


def test_custom_score_range(openai_stub: OpenAIStub) -> None:
    openai_stub.responder = lambda request: "SCORE: 4"
    result = judge(openai_stub, score_range=(1, 5))
    assert result.score == pytest.approx(0.75)
    assert "from 1 to 5" in openai_stub.chat_requests[0].json["messages"][0]["content"]


def test_an_answer_without_a_score_is_asked_again_then_invalid(openai_stub: OpenAIStub) -> None:
    openai_stub.enqueue(Reply(200, completion("I refuse to grade.")))
    openai_stub.responder = lambda request: "SCORE: 5"
    assert judge(openai_stub).score == 0.5
    assert len(openai_stub.chat_requests) == 2
    openai_stub.reset()
    openai_stub.responder = lambda request: "It is good."
    result = judge(openai_stub, rubric="another rubric")
    assert not result.is_score_valid and "SCORE" in result.error
    assert len(openai_stub.chat_requests) == 2


@pytest.mark.parametrize(
    "failure", [rate_limited(retry_after="0"), malformed()], ids=["429", "truncated-body"]
)
def test_transient_failures_are_retried(openai_stub: OpenAIStub, failure: Any) -> None:
    openai_stub.enqueue(failure)
    openai_stub.responder = lambda request: "SCORE: 10"
    result = judge(openai_stub)
    assert result.is_score_valid and result.score == 1.0
    assert len(openai_stub.chat_requests) == 2


def test_a_failing_judge_is_invalid_not_zero(openai_stub: OpenAIStub) -> None:
    openai_stub.responder = lambda request: error(401, "bad key")
    refused = judge(openai_stub)
    assert not refused.is_score_valid and "401" in refused.error
    assert len(openai_stub.chat_requests) == 1  # a 4xx is not retried
    openai_stub.reset()
    openai_stub.responder = lambda request: server_error(503)
    down = judge(openai_stub, max_retries=0, rubric="down")
    assert not down.is_score_valid and down.score == 0.0 and down.error


def test_api_key_from_the_environment(
    openai_stub: OpenAIStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    openai_stub.responder = lambda request: "SCORE: 10"
    monkeypatch.setenv("REWARD_KIT_TEST_JUDGE_KEY", "sk-judge-123")
    assert judge(openai_stub, api_key_env="REWARD_KIT_TEST_JUDGE_KEY").is_score_valid
    assert openai_stub.chat_requests[0].headers["authorization"] == "Bearer sk-judge-123"
    monkeypatch.delenv("REWARD_KIT_TEST_JUDGE_KEY")
    missing = judge(openai_stub, api_key_env="REWARD_KIT_TEST_UNSET_KEY_XYZ")
    assert not missing.is_score_valid and "REWARD_KIT_TEST_UNSET_KEY_XYZ" in missing.error


def test_many_concurrent_judgements_from_an_event_loop(openai_stub: OpenAIStub) -> None:
    openai_stub.responder = lambda request: f"SCORE: {len(request.last_user_text) % 11}"

    async def grade_all() -> list[Any]:
        samples = [reply(f"answer {'x' * i}") for i in range(20)]
        options = {"model": "judge-model", "base_url": openai_stub.url, "api_key_env": None}
        return await asyncio.gather(*(llm_judge_reward.acall(s, **options) for s in samples))

    results = asyncio.run(grade_all())
    assert all(r.is_score_valid for r in results) and len({r.score for r in results}) > 1


def test_missing_model_and_bad_range_are_invalid(openai_stub: OpenAIStub) -> None:
    assert "model=" in llm_judge_reward(ANSWER).error
    assert not judge(openai_stub, score_range=(10, 0)).is_score_valid


@pytest.mark.parametrize(
    "messages", MALFORMED_CONVERSATIONS.values(), ids=list(MALFORMED_CONVERSATIONS)
)
def test_no_response_is_invalid_without_asking(openai_stub: OpenAIStub, messages: list) -> None:
    assert not judge(openai_stub, messages).is_score_valid
    assert openai_stub.chat_requests == []
