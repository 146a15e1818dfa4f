"""Tests of the data models: validation, OpenAI round-trips, dict access, JSON round-trips."""

from __future__ import annotations

import json
import math

import pytest
from pydantic import ValidationError

from reward_kit.models import (
    EvaluateResult,
    EvaluationRequest,
    FunctionCall,
    Message,
    MetricResult,
    StepOutput,
    ToolCall,
    message_text,
)


def test_message_roles_are_validated() -> None:
    for role in ("system", "user", "assistant", "tool", "developer"):
        content = None if role == "assistant" else "x"
        assert Message(role=role, content=content).role == role
    with pytest.raises(ValidationError, match="role"):
        Message(role="bot", content="hi")


def test_messages_that_need_content_say_so() -> None:
    with pytest.raises(ValidationError, match="a user message needs 'content'"):
        Message(role="user")
    assert Message(role="assistant").content is None


def test_tool_call_arguments_given_as_dict_are_normalised_to_json() -> None:
    call = ToolCall(id="c1", function={"name": "get_weather", "arguments": {"city": "Paris"}})
    assert call.function.arguments == '{"city": "Paris"}'
    assert call.function.parsed_arguments() == {"city": "Paris"}
    assert FunctionCall(name="f", arguments=None).arguments == "{}"


def test_invalid_json_arguments_are_kept_but_reported_when_parsed() -> None:
    call = FunctionCall(name="f", arguments="{not json")
    assert call.arguments == "{not json"
    with pytest.raises(ValueError, match="not valid JSON"):
        call.parsed_arguments()


def test_openai_sdk_message_dicts_round_trip() -> None:
    sdk_message = {
        "role": "assistant",
        "content": None,
        "refusal": None,
        "annotations": [],
        "tool_calls": [
            {
                "id": "call_abc",
                "type": "function",
                "function": {"name": "lookup", "arguments": '{"q": "x"}'},
            }
        ],
    }
    message = Message.model_validate(sdk_message)
    assert message.tool_calls is not None
    assert message.tool_calls[0].function.name == "lookup"
    assert message.model_dump(exclude_none=True) == {
        key: value for key, value in sdk_message.items() if value is not None
    }
    request_dict = {"role": "tool", "tool_call_id": "call_abc", "content": "42"}
    assert Message.model_validate(request_dict).to_openai() == request_dict


def test_content_parts_are_validated_and_their_text_joined() -> None:
    message = Message(
        role="user",
        content=[
            {"type": "text", "text": "first"},
            {"type": "image_url", "image_url": {"url": "data:..."}},
            {"type": "text", "text": "second"},
        ],
    )
    assert message_text(message) == "first\nsecond"
    assert message.text == "first\nsecond"
    assert message_text({"role": "assistant", "content": None}) == ""
    assert message_text({"role": "user", "content": "plain"}) == "plain"
    with pytest.raises(ValidationError, match="content part 0 has no 'type'"):
        Message(role="user", content=[{"text": "x"}])
    with pytest.raises(ValidationError, match="no string 'text'"):
        Message(role="user", content=[{"type": "text"}])


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, "0.5", True, None])
def test_scores_must_be_finite_numbers(bad: object) -> None:
    with pytest.raises(ValidationError, match="score must be a"):
        EvaluateResult(score=bad)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="score must be a"):
        MetricResult(score=bad)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="base_reward must be a"):
        StepOutput(step_index=0, base_reward=bad)  # type: ignore[arg-type]


def test_negative_and_large_scores_are_fine() -> None:
    assert EvaluateResult(score=-3).score == -3.0
    assert EvaluateResult(score=1e30).score == 1e30


def test_results_read_like_dicts() -> None:
    result = EvaluateResult(score=0.5, reason="half", metrics={"m": MetricResult(score=1.0)})
    assert result["score"] == 0.5
    assert result["metrics"]["m"]["score"] == 1.0
    assert result.get("reason") == "half"
    assert result.get("missing", "default") == "default"
    assert "score" in result
    assert "missing" not in result
    assert "score" in list(result.keys())
    with pytest.raises(KeyError):
        result["missing"]


def test_an_error_without_an_explicit_validity_makes_the_result_invalid() -> None:
    assert EvaluateResult(score=0, error="sandbox down").is_score_valid is False
    assert EvaluateResult(score=0, error="note", is_score_valid=True).is_score_valid is True
    invalid = EvaluateResult.invalid("timed out")
    assert (invalid.is_score_valid, invalid.error, invalid.score) == (False, "timed out", 0.0)


def test_json_round_trip_is_lossless() -> None:
    result = EvaluateResult(
        score=-0.125,
        reason="r",
        is_score_valid=True,
        metrics={"a": MetricResult(score=0.1, reason="x", success=True)},
        step_outputs=[StepOutput(step_index="s1", base_reward=2.5, metrics={"k": [1, 2]})],
        error=None,
    )
    assert EvaluateResult.model_validate_json(result.model_dump_json()) == result
    assert EvaluateResult.model_validate(json.loads(result.model_dump_json())) == result


def test_evaluation_request_is_the_wire_format() -> None:
    request = EvaluationRequest.model_validate(
        {
            "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}],
            "ground_truth": {"answer": 1},
            "tools": [{"type": "function", "function": {"name": "f"}}],
            "kwargs": {"k": 1},
        }
    )
    assert request.messages[-1].content == "a"
    with pytest.raises(ValidationError, match="extra"):
        EvaluationRequest.model_validate({"messages": [{"role": "user", "content": "q"}], "x": 1})
    with pytest.raises(ValidationError, match="at least 1"):
        EvaluationRequest.model_validate({"messages": []})
