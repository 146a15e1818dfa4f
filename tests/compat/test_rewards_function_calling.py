"""reward-kit's "Function Calling Evaluation" pages (fw-ai-external/reward-kit docs), run as
written: the schema Jaccard reward against an expected call schema, a call given directly,
exact tool matching on a dataset row, and the ``match_function_call`` family of helpers.

Deliberate difference (docs/migration.md): a call of the wrong function scores 0, not the
name-weighted share of its argument similarity.
"""

from __future__ import annotations

import json

import pytest

from reward_kit.rewards import schema_jaccard_reward as exported
from reward_kit.rewards.function_calling import (
    calculate_jaccard_similarity,
    exact_tool_match_reward,
    extract_schema_properties,
    match_function_call,
    schema_jaccard_reward,
)
from tests.compat.conftest import RunScript

FORECAST = {
    "name": "get_forecast",
    "arguments": {"city": {"type": "string"}, "unit": {"type": "string"}},
}


def calling(name: str, arguments: dict[str, object]) -> list[dict[str, object]]:
    return [
        {"role": "user", "content": "Will it rain in Lisbon?"},
        {
            "role": "assistant",
            "content": "Let me look that up.",
            "function_call": {"name": name, "arguments": json.dumps(arguments)},
        },
    ]


def test_schema_jaccard_page_as_a_script(run_script: RunScript) -> None:
    output = run_script(
        """
        import json
        from reward_kit.rewards.function_calling import schema_jaccard_reward

        expected_schema = {"name": "get_forecast",
                           "arguments": {"city": {"type": "string"}, "unit": {"type": "string"}}}
        messages = [
            {"role": "user", "content": "Will it rain in Lisbon?"},
            {"role": "assistant", "content": "Let me look that up.",
             "function_call": {"name": "get_forecast",
                               "arguments": json.dumps({"city": "Lisbon", "unit": "celsius"})}},
        ]
        result = schema_jaccard_reward(messages=messages, expected_schema=expected_schema)
        print(f"Overall Score: {result.score}")
        for name, metric in result.metrics.items():
            print(f"  {name}: {metric.score}")
        """
    )
    assert "Overall Score: 1.0" in output
    assert "function_name_match: 1.0" in output and "schema_similarity: 1.0" in output
    assert exported is schema_jaccard_reward


def test_schema_jaccard_partial_shapes() -> None:
    missing_unit = schema_jaccard_reward(
        messages=calling("get_forecast", {"city": "Lisbon"}), expected_schema=FORECAST
    )
    assert missing_unit.score == pytest.approx(0.5)
    extra = schema_jaccard_reward(
        messages=calling("get_forecast", {"city": "Lisbon", "unit": "c", "days": 3}),
        expected_schema=FORECAST,
    )
    assert extra.score == pytest.approx(2 / 3)
    other_function = schema_jaccard_reward(
        messages=calling("get_news", {"city": "Lisbon", "unit": "c"}), expected_schema=FORECAST
    )
    assert other_function.score == 0.0
    assert other_function.metrics["function_name_match"].score == 0.0


def test_direct_function_call() -> None:
    call = {"name": "get_forecast", "arguments": json.dumps({"city": "Oslo", "unit": "kelvin"})}
    result = schema_jaccard_reward(messages=[], function_call=call, expected_schema=FORECAST)
    assert result.score == 1.0


def test_exact_tool_match_on_a_dataset_row(run_script: RunScript) -> None:
    output = run_script(
        """
        import json
        from reward_kit.rewards.function_calling import exact_tool_match_reward

        call = {"type": "function", "function": {
            "name": "get_forecast", "arguments": json.dumps({"city": "Lima", "unit": "celsius"})}}
        row = {"messages": [{"role": "user", "content": "Forecast for Lima in celsius?"},
                            {"role": "assistant", "content": None,
                             "tool_calls": [{"id": "call_1", **call}]}],
               "ground_truth": {"tool_calls": [call]}}
        with open("dataset.jsonl", "w") as f:
            f.write(json.dumps(row) + "\\n")
        for line in open("dataset.jsonl"):
            item = json.loads(line)
            result = exact_tool_match_reward(messages=item["messages"],
                                             ground_truth=item["ground_truth"])
            print(f"Score: {result.score}, Reason: {result.reason}")
        """
    )
    assert output.startswith("Score: 1.0")


def test_exact_match_without_ground_truth_is_not_a_pass() -> None:
    result = exact_tool_match_reward(messages=calling("get_forecast", {"city": "Lima"}))
    assert not result.is_score_valid and result.error


def test_match_function_call_strictness() -> None:
    schema = {
        "name": "book",
        "arguments": {"room": {"type": "string"}, "nights": {"type": "integer"}},
    }
    exact = match_function_call([], "book", {"room": "12", "nights": 2}, schema)
    assert exact.score == 1.0 and exact.metrics["arguments_match"].score == 1.0
    assert match_function_call([], "book", {"room": "12"}, schema).score == 0.0
    partial = match_function_call(
        [], "book", {"room": "12"}, schema, argument_match_strictness="partial"
    )
    assert partial.score == 1.0
    flexible = match_function_call(
        [], "book", {"room": "12", "nights": 2, "note": "x"}, schema,
        argument_match_strictness="flexible",
    )  # fmt: skip
    assert flexible.score == 1.0
    mistyped = match_function_call([], "book", {"room": "12", "nights": "two"}, schema)
    assert mistyped.score == 0.0 and "nights" in mistyped.metrics["arguments_match"].reason
    wrong_name = match_function_call([], "cancel", {"room": "12", "nights": 2}, schema)
    assert wrong_name.score == 0.0 and wrong_name.metrics["function_name_match"].score == 0.0


def test_jaccard_helpers() -> None:
    assert calculate_jaccard_similarity({1, 2}, {2, 3}) == pytest.approx(1 / 3)
    assert calculate_jaccard_similarity(set(), set()) == 1.0
    schema = {
        "type": "object",
        "properties": {
            "who": {"type": "object", "properties": {"name": {"type": "string"}}},
            "tags": {"type": "array", "items": {"type": "string"}},
            "note": {},
        },
    }
    assert extract_schema_properties(schema) == {
        ("who", "object"),
        ("who.name", "string"),
        ("tags", "array"),
        ("tags[]", "string"),
        ("note", "any"),
    }
