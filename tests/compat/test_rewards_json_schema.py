"""reward-kit's "JSON Schema Validation" page (fw-ai-external/reward-kit docs), run as written.

The examples are retold in our own words: a person record validated against a schema, a
custom extractor, several JSON values picked by index, direct validation of JSON text, and
several schemas of which one must hold.
"""

from __future__ import annotations

import json
import re

from reward_kit.rewards import json_schema_reward as exported
from reward_kit.rewards.json_schema import json_schema_reward, validate_json_string
from tests.compat.conftest import RunScript

CONTACT = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "age": {"type": "integer", "minimum": 0},
        "email": {"type": "string", "format": "email"},
        "hobbies": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["name", "age", "email"],
}


def convo(answer: str) -> list[dict[str, str]]:
    return [
        {"role": "user", "content": "Describe the person as JSON."},
        {"role": "assistant", "content": answer},
    ]


def test_basic_usage_as_a_script(run_script: RunScript) -> None:
    output = run_script(
        """
        from reward_kit.rewards.json_schema import json_schema_reward

        schema = {"type": "object",
                  "properties": {"name": {"type": "string"},
                                 "age": {"type": "integer", "minimum": 0},
                                 "email": {"type": "string", "format": "email"}},
                  "required": ["name", "age", "email"]}
        messages = [
            {"role": "user", "content": "A person as JSON, please."},
            {"role": "assistant", "content": 'Sure:\\n```json\\n{"name": "Kim Lee", "age": 41, '
                                             '"email": "kim@example.org"}\\n```\\nDone.'},
        ]
        result = json_schema_reward(messages=messages, schema=schema)
        print(f"Overall score: {result.score}")
        for name, metric in result.metrics.items():
            print(f"  {name}: {metric.score}")
        """
    )
    assert "Overall score: 1.0" in output
    assert "schema_valid: 1.0" in output
    assert exported is json_schema_reward


def test_schema_keyword_is_honoured() -> None:
    wrong = convo('{"name": "Kim Lee", "age": -3, "email": "kim@example.org"}')
    assert json_schema_reward(messages=wrong, schema=CONTACT).score == 0.0
    not_an_email = convo('{"name": "Kim Lee", "age": 41, "email": "nobody"}')
    assert json_schema_reward(messages=not_an_email, schema=CONTACT).score == 0.0


def test_custom_json_extractor() -> None:
    def after_label(text: str) -> str | None:
        found = re.search(r"RECORD:\s*```json\s*([\s\S]*?)\s*```", text)
        return found.group(1) if found else None

    answer = (
        'Formatted below.\n\nRECORD: ```json\n{"name": "Kim Lee", "age": 41, '
        '"email": "kim@example.org"}\n```\n\nAll fields included.'
    )
    result = json_schema_reward(messages=convo(answer), schema=CONTACT, json_extractor=after_label)
    assert result.score == 1.0
    missing = json_schema_reward(
        messages=convo("no label"), schema=CONTACT, json_extractor=after_label
    )
    assert missing.score == 0.0 and missing.is_score_valid


def test_json_index_picks_one_of_several() -> None:
    answer = (
        'Owner:\n```json\n{"name": "Ravi", "age": 52, "email": "ravi@example.net"}\n```\n'
        'Cat:\n```json\n{"name": "Miso", "species": "cat", "age": 3}\n```\n'
    )
    assert json_schema_reward(messages=convo(answer), schema=CONTACT, json_index=0).score == 1.0
    assert json_schema_reward(messages=convo(answer), schema=CONTACT, json_index=1).score == 0.0
    # Without an index, two candidates are not a choice the response gets to make.
    assert json_schema_reward(messages=convo(answer), schema=CONTACT).score == 0.0


def test_validate_json_string_directly() -> None:
    good = validate_json_string(
        json_str='{"name": "Noor", "age": 30, "email": "noor@example.com", "hobbies": ["go"]}',
        schema=CONTACT,
    )
    assert good["valid"] is True and good["errors"] == []
    bad = validate_json_string(json_str='{"name": "Noor"}', schema=CONTACT)
    assert bad["valid"] is False and any("age" in error for error in bad["errors"])
    broken = validate_json_string(json_str="{not json", schema=CONTACT)
    assert broken["valid"] is False and broken["errors"]


def test_several_schemas_any_or_all() -> None:
    member = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "role": {"enum": ["member"]}},
        "required": ["name", "role"],
    }
    moderator = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "role": {"enum": ["moderator"]},
            "powers": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["name", "role", "powers"],
    }
    answer = convo(json.dumps({"name": "Mod", "role": "moderator", "powers": ["ban", "pin"]}))
    either = json_schema_reward(
        messages=answer, schema=[member, moderator], require_all_valid=False
    )
    assert either.score == 1.0
    assert either.metrics["schema_0"].score == 0.0 and either.metrics["schema_1"].score == 1.0
    both = json_schema_reward(messages=answer, schema=[member, moderator], require_all_valid=True)
    assert both.score == 0.0


def test_response_normalization_scores() -> None:
    product = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "price": {"type": "number", "minimum": 0},
            "category": {"type": "string"},
            "in_stock": {"type": "boolean"},
        },
        "required": ["name", "price", "category", "in_stock"],
    }
    clean = '```json\n{"name": "Lamp", "price": 19.5, "category": "Home", "in_stock": true}\n```'
    commented = '```json\n{"name": "Lamp", "price": "19.5",  // a string\n "category": "Home"}\n```'
    scores = [
        json_schema_reward(messages=convo(text), schema=product).score
        for text in (clean, commented)
    ]
    assert scores == [1.0, 0.0]
