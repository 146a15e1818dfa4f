"""Tests of reward_kit.rewards.json_schema."""

from __future__ import annotations

import json

import pytest

from reward_kit.rewards.json_schema import json_schema_reward
from tests.rewards.conversations import MALFORMED_CONVERSATIONS, reply

PERSON = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "age": {"type": "integer", "minimum": 0},
        "role": {"enum": ["admin", "user"]},
        "address": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "zip": {"type": "string", "pattern": "^[0-9]{5}$"},
            },
            "required": ["city"],
        },
        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
    },
    "required": ["name", "age"],
    "additionalProperties": False,
}
GOOD = {
    "name": "Ada",
    "age": 36,
    "role": "admin",
    "address": {"city": "London", "zip": "12345"},
    "tags": ["x"],
}


def score(text: str, **options: object) -> float:
    return json_schema_reward(reply(text), expected_schema=PERSON, **options).score


@pytest.mark.parametrize(
    "text",
    [
        json.dumps(GOOD),
        f"Here you go:\n```json\n{json.dumps(GOOD, indent=2)}\n```\nAnything else?",
        f"```\n{json.dumps(GOOD)}\n```",
        f"The record is {json.dumps(GOOD)} as requested.",
        f"<think>Let me write {{draft}}</think>{json.dumps(GOOD)}",
    ],
)
def test_valid_json_in_any_usual_place_scores_one(text: str) -> None:
    assert score(text) == 1.0


@pytest.mark.parametrize(
    ("document", "where"),
    [
        ({"name": "Ada"}, "'age' is a required property"),
        ({"name": "Ada", "age": 36.5}, "$.age"),
        ({"name": "Ada", "age": "36"}, "$.age"),
        ({"name": "Ada", "age": True}, "$.age"),
        ({"name": "Ada", "age": 3, "role": "root"}, "$.role"),
        ({"name": "Ada", "age": 3, "address": {"zip": "12345"}}, "'city' is a required property"),
        ({"name": "Ada", "age": 3, "address": {"city": "L", "zip": "1234"}}, "$.address.zip"),
        ({"name": "Ada", "age": 3, "tags": ["a", 1]}, "$.tags[1]"),
        ({"name": "Ada", "age": 3, "tags": ["a", "b", "c", "d"]}, "$.tags"),
        ({"name": "Ada", "age": 3, "extra": 1}, "Additional properties"),
        ([GOOD], "is not of type 'object'"),
    ],
)
def test_schema_violations_score_zero_and_say_where(document: object, where: str) -> None:
    result = json_schema_reward(reply(json.dumps(document)), expected_schema=PERSON)
    assert result.score == 0.0 and result.is_score_valid
    assert where in result.reason


def test_integer_valued_float_is_an_integer_in_json_schema() -> None:
    assert score('{"name": "Ada", "age": 36.0}') == 1.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"name": "Ada", "age": }', "line 1 column 24"),
        ('```json\n{"name": "Ada",\n "age": 3,}\n```', "fenced code block at line 2 column 11"),
        ("no json here", "no JSON object or array"),
        ("", "empty"),
        ('{"name": "A", "age": 1} or maybe {"name": "B", "age": 2}', "2 separate JSON values"),
        (
            '```json\n{"name": "A", "age": 1}\n```\n```json\n{"name": "B", "age": 2}\n```',
            "2 fenced",
        ),
    ],
)
def test_unusable_json_scores_zero_with_a_reason(text: str, message: str) -> None:
    result = json_schema_reward(reply(text), expected_schema=PERSON)
    assert result.score == 0.0 and result.is_score_valid
    assert message in result.reason


def test_pathological_inputs_stay_fast_and_safe() -> None:
    assert score("[" * 100_000) == 0.0
    assert score("{" * 50_000 + "}" * 10) == 0.0
    assert score('{"a": ' * 5000 + "1" + "}" * 5000) == 0.0


def test_partial_credit_counts_satisfied_constraints() -> None:
    perfect = score(json.dumps(GOOD), partial_credit=True)
    one_wrong = score(json.dumps({**GOOD, "role": "root"}), partial_credit=True)
    missing = score('{"name": "Ada"}', partial_credit=True)
    wrong_shape = score('"Ada"', partial_credit=True)
    assert perfect == 1.0 > one_wrong > missing > wrong_shape == 0.0
    result = json_schema_reward(
        reply('{"name": "Ada"}'), expected_schema=PERSON, partial_credit=True
    )
    assert "schema constraints satisfied" in result.metrics["constraints"].reason
    assert result.metrics["schema_valid"].success is False


def test_partial_credit_follows_refs() -> None:
    schema = {
        "$defs": {
            "point": {"type": "object", "properties": {"x": {"type": "number"}}, "required": ["x"]}
        },
        "type": "array",
        "items": {"$ref": "#/$defs/point"},
    }
    good = json_schema_reward(
        reply('[{"x": 1}, {"x": 2.5}]'), expected_schema=schema, partial_credit=True
    )
    bad = json_schema_reward(
        reply('[{"x": 1}, {"y": 2}]'), expected_schema=schema, partial_credit=True
    )
    assert good.score == 1.0 and bad.score == 0.5


def test_schema_from_ground_truth_in_every_form() -> None:
    text = json.dumps(GOOD)
    as_messages = [
        {"role": "user", "content": "schema?"},
        {"role": "assistant", "content": json.dumps(PERSON)},
    ]
    for ground_truth in (PERSON, json.dumps(PERSON), as_messages):
        assert json_schema_reward(reply(text), ground_truth=ground_truth).score == 1.0


@pytest.mark.parametrize(
    ("schema", "word"),
    [
        (None, "required"),
        ("{not json", "not valid JSON"),
        ({"type": "nonsense"}, "not a valid JSON Schema"),
        (3, "JSON object"),
    ],
)
def test_bad_schema_is_invalid(schema: object, word: str) -> None:
    result = json_schema_reward(reply("{}"), ground_truth=schema)
    assert not result.is_score_valid and word in result.error


@pytest.mark.parametrize(
    "messages", MALFORMED_CONVERSATIONS.values(), ids=list(MALFORMED_CONVERSATIONS)
)
def test_no_response_is_invalid(messages: list) -> None:
    assert not json_schema_reward(messages, expected_schema=PERSON).is_score_valid


def test_json_content_is_validated_instead_of_the_response() -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    given = json_schema_reward(messages=[], json_content={"name": "Ada"}, expected_schema=schema)
    assert given.score == 1.0 and given.metrics["schema_similarity"].success
    assert json_schema_reward(messages=[], json_content='{"age": 3}', schema=schema).score == 0.0
    text = json_schema_reward(
        messages=[], json_content='```json\n{"name": "B"}\n```', schema=schema
    )
    assert text.score == 1.0
    assert json_schema_reward(messages=[], json_content="no json", schema=schema).score == 0.0
