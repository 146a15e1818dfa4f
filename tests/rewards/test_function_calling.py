"""Tests of reward_kit.rewards.function_calling (the LLM judge against a local stand-in)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from reward_kit.rewards.function_calling import (
    composite_function_call_reward,
    exact_tool_match_reward,
    llm_judge_reward,
    schema_jaccard_reward,
)
from tests._servers.openai_stub import OpenAIStub, RecordedRequest, error
from tests.rewards.conversations import MALFORMED_CONVERSATIONS, reply

WEATHER = {"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}
TIME = {"name": "get_time", "arguments": {"timezone": "Europe/Paris"}}
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {
                "type": "object",
                "properties": {
                    "city": {"type": "string"},
                    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                    "days": {"type": "integer"},
                },
                "required": ["city"],
            },
        },
    }
]


def openai_call(call: dict[str, Any], index: int = 0, as_text: bool = True) -> dict[str, Any]:
    arguments = json.dumps(call["arguments"]) if as_text else call["arguments"]
    return {
        "id": f"call_{index}",
        "type": "function",
        "function": {"name": call["name"], "arguments": arguments},
    }


def calling(*calls: dict[str, Any], content: str | None = None) -> list[dict[str, Any]]:
    return reply(
        content,
        prompt="Weather and time in Paris?",
        tool_calls=[openai_call(c, i) for i, c in enumerate(calls)],
    )


def tagged(*calls: dict[str, Any]) -> list[dict[str, Any]]:
    text = "".join(f"<tool_call>{json.dumps(c)}</tool_call>" for c in calls)
    return reply(text, prompt="Weather and time in Paris?")


@pytest.mark.parametrize(
    "ground_truth",
    [
        {"tool_calls": [openai_call(WEATHER), openai_call(TIME, 1)]},
        {"tool_calls": [WEATHER, TIME]},
        [WEATHER, TIME],
        [
            {"role": "user", "content": "q"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [openai_call(WEATHER), openai_call(TIME, 1)],
            },
        ],
    ],
    ids=["openai-shape", "name-arguments", "list", "messages"],
)
def test_exact_match_accepts_every_ground_truth_form(ground_truth: Any) -> None:
    result = exact_tool_match_reward(calling(WEATHER, TIME), ground_truth)
    assert result.score == 1.0, result.reason


def test_calls_in_content_tags_and_key_order_do_not_matter() -> None:
    reordered = {"name": "get_weather", "arguments": {"unit": "celsius", "city": "Paris"}}
    assert exact_tool_match_reward(tagged(reordered, TIME), [WEATHER, TIME]).score == 1.0


def test_order_is_free_unless_asked() -> None:
    assert exact_tool_match_reward(calling(TIME, WEATHER), [WEATHER, TIME]).score == 1.0
    strict = exact_tool_match_reward(calling(TIME, WEATHER), [WEATHER, TIME], order_matters=True)
    assert strict.score == 0.0 and "order" in strict.reason


@pytest.mark.parametrize(
    ("calls", "why"),
    [
        ([WEATHER], "functions differ"),
        ([WEATHER, TIME, TIME], "functions differ"),
        ([WEATHER, WEATHER, TIME], "functions differ"),
        (
            [{"name": "get_weather", "arguments": {"city": "paris", "unit": "celsius"}}, TIME],
            "arguments differ",
        ),
        ([{"name": "get_weather", "arguments": {"city": "Paris"}}, TIME], "arguments differ"),
        (
            [{"name": "get_weather", "arguments": {**WEATHER["arguments"], "extra": 1}}, TIME],
            "arguments differ",
        ),
        ([{"name": "get_forecast", "arguments": WEATHER["arguments"]}, TIME], "functions differ"),
    ],
)
def test_any_difference_fails_exact_match(calls: list[dict[str, Any]], why: str) -> None:
    result = exact_tool_match_reward(calling(*calls), [WEATHER, TIME])
    assert result.score == 0.0 and why in result.reason


def test_json_types_are_compared_not_text() -> None:
    expected = [{"name": "f", "arguments": {"n": 1, "flag": True}}]
    assert (
        exact_tool_match_reward(
            tagged({"name": "f", "arguments": {"n": 1.0, "flag": True}}), expected
        ).score
        == 1.0
    )
    assert (
        exact_tool_match_reward(
            tagged({"name": "f", "arguments": {"n": 1, "flag": 1}}), expected
        ).score
        == 0.0
    )
    assert (
        exact_tool_match_reward(
            tagged({"name": "f", "arguments": {"n": "1", "flag": True}}), expected
        ).score
        == 0.0
    )


def test_no_call_expected() -> None:
    assert exact_tool_match_reward(reply("It is sunny."), {"tool_calls": []}).score == 1.0
    assert exact_tool_match_reward(calling(WEATHER), {"tool_calls": []}).score == 0.0
    assert exact_tool_match_reward(reply("I would call get_weather."), [WEATHER]).score == 0.0


@pytest.mark.parametrize(
    "messages",
    [
        reply("<tool_call>{not json}</tool_call>"),
        reply('<tool_call>{"arguments": {}}</tool_call>'),
        reply('<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}'),
        reply(
            None,
            tool_calls=[
                {
                    "id": "1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": "{city: Paris}"},
                }
            ],
        ),
    ],
    ids=["bad-json", "no-name", "unclosed", "bad-arguments"],
)
def test_malformed_calls_score_zero_with_a_reason(messages: list) -> None:
    for reward in (exact_tool_match_reward, schema_jaccard_reward):
        result = reward(messages, [WEATHER])
        assert result.score == 0.0 and result.is_score_valid and "malformed" in result.reason


@pytest.mark.parametrize(
    "ground_truth",
    [
        None,
        "get_weather",
        [{"arguments": {}}],
        {"tool_calls": [{"name": "f", "arguments": "{oops"}]},
        [{"role": "user", "content": "q"}],
    ],
)
def test_bad_ground_truth_is_invalid(ground_truth: Any) -> None:
    result = exact_tool_match_reward(calling(WEATHER), ground_truth)
    assert not result.is_score_valid and result.error


@pytest.mark.parametrize(
    "messages", MALFORMED_CONVERSATIONS.values(), ids=list(MALFORMED_CONVERSATIONS)
)
def test_no_response_is_invalid(messages: list) -> None:
    assert not exact_tool_match_reward(messages, [WEATHER]).is_score_valid
    assert not schema_jaccard_reward(messages, [WEATHER]).is_score_valid


def test_schema_jaccard_compares_argument_keys_and_types() -> None:
    assert schema_jaccard_reward(calling(WEATHER, TIME), [WEATHER, TIME]).score == 1.0
    other_values = {"name": "get_weather", "arguments": {"city": "Rome", "unit": "fahrenheit"}}
    assert schema_jaccard_reward(calling(other_values, TIME), [WEATHER, TIME]).score == 1.0
    missing_key = {"name": "get_weather", "arguments": {"city": "Paris"}}
    assert schema_jaccard_reward(calling(missing_key), [WEATHER]).score == pytest.approx(1 / 2)
    wrong_type = {"name": "get_weather", "arguments": {"city": "Paris", "unit": 3}}
    assert schema_jaccard_reward(calling(wrong_type), [WEATHER]).score == pytest.approx(1 / 3)


def test_schema_jaccard_counts_missing_and_extra_calls() -> None:
    assert schema_jaccard_reward(calling(WEATHER), [WEATHER, TIME]).score == 0.5
    assert schema_jaccard_reward(
        calling(WEATHER, TIME, TIME), [WEATHER, TIME]
    ).score == pytest.approx(2 / 3)
    assert schema_jaccard_reward(reply("no call"), [WEATHER]).score == 0.0
    assert schema_jaccard_reward(reply("no call"), []).score == 1.0


def test_schema_jaccard_against_the_tool_schema() -> None:
    def score(arguments: dict[str, Any]) -> float:
        return schema_jaccard_reward(
            calling({"name": "get_weather", "arguments": arguments}), tools=TOOLS
        ).score

    assert score({"city": "Paris"}) == 1.0
    assert score({"city": "Paris", "days": 3}) == 1.0
    assert score({"city": "Paris", "days": "3"}) == pytest.approx(1 / 3)
    assert score({"unit": "celsius"}) == pytest.approx(1 / 2)
    assert score({"city": "Paris", "country": "FR"}) == pytest.approx(1 / 2)
    unknown = schema_jaccard_reward(calling(TIME), tools=TOOLS)
    assert unknown.score == 0.0
    assert not schema_jaccard_reward(calling(WEATHER)).is_score_valid


def test_composite_weights() -> None:
    half_right = [{"name": "get_weather", "arguments": {"city": "Rome", "unit": "celsius"}}]
    result = composite_function_call_reward(calling(*half_right), [WEATHER])
    assert result.score == 0.5
    assert (
        result.metrics["exact_match"].score == 0.0 and result.metrics["schema_jaccard"].score == 1.0
    )
    weighted = composite_function_call_reward(
        calling(*half_right), [WEATHER], weights={"exact_match": 3, "schema_jaccard": 1}
    )
    assert weighted.score == 0.25


@pytest.mark.parametrize("weights", [{"exact": 1.0}, {"exact_match": -1.0}, {"exact_match": 0.0}])
def test_composite_bad_weights_are_invalid(weights: dict[str, float]) -> None:
    assert not composite_function_call_reward(
        calling(WEATHER), [WEATHER], weights=weights
    ).is_score_valid


def judge_answer(score: str) -> Any:
    def answer(request: RecordedRequest) -> str:
        return f"The calls match the request.\nSCORE: {score}"

    return answer


def test_llm_judge_of_tool_calls_sees_expected_and_given_calls(openai_stub: OpenAIStub) -> None:
    openai_stub.responder = judge_answer("8")
    result = llm_judge_reward(
        calling(WEATHER), [WEATHER], model="judge", base_url=openai_stub.url, api_key_env=None
    )
    assert result.score == pytest.approx(0.8) and result.is_score_valid
    prompt = openai_stub.chat_requests[0].last_user_text
    assert "Expected calls" in prompt and '"city": "Paris"' in prompt
    assert "Tool calls made" in prompt and "Weather and time in Paris?" in prompt


def test_composite_with_the_judge_and_a_failing_judge(openai_stub: OpenAIStub) -> None:
    openai_stub.responder = judge_answer("10")
    options = {"model": "judge", "base_url": openai_stub.url, "api_key_env": None, "max_retries": 0}
    weights = {"exact_match": 1.0, "schema_jaccard": 1.0, "llm_judge": 2.0}
    result = composite_function_call_reward(calling(WEATHER), [WEATHER], weights=weights, **options)
    assert result.score == 1.0 and result.metrics["llm_judge"].score == 1.0
    openai_stub.responder = lambda request: error(400, "model not found")
    failed = composite_function_call_reward(calling(WEATHER), [WEATHER], weights=weights, **options)
    assert not failed.is_score_valid and "llm_judge" in failed.error
    assert not llm_judge_reward(calling(WEATHER), [WEATHER]).is_score_valid  # no model given
