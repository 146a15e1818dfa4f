"""Reading tool calls from responses and ground truths, and comparing their arguments."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reward_kit.models import Message, message_text
from reward_kit.rewards._common import RewardInputError, last_assistant_message, strip_think

_TOOL_CALL = re.compile(r"<tool_call>(.*?)</tool_call>", re.DOTALL)


class ToolCallFormatError(ValueError):
    """The response's tool call is malformed (bad JSON, no name): the model's mistake."""


@dataclass(frozen=True)
class Call:
    """A tool call reduced to what is compared: the function name and its parsed arguments."""

    name: str
    arguments: Any

    def canonical(self) -> tuple[str, Any]:
        """A hashable form in which equal calls are equal (key order, 1 vs 1.0 aside)."""
        return self.name, canonical(self.arguments)

    def show(self, limit: int = 200) -> str:
        """The call as ``name({...})`` for reasons, cut to about ``limit`` characters."""
        arguments = json.dumps(self.arguments, ensure_ascii=False, sort_keys=True)
        if len(arguments) > limit:
            arguments = arguments[:limit] + "..."
        return f"{self.name}({arguments})"


def canonical(value: Any) -> Any:
    """Hashable form of a JSON value: object key order ignored, booleans apart from numbers."""
    if isinstance(value, dict):
        return ("object", tuple(sorted((str(k), canonical(v)) for k, v in value.items())))
    if isinstance(value, (list, tuple)):
        return ("array", tuple(canonical(v) for v in value))
    if isinstance(value, bool) or value is None:
        return ("literal", value)
    if isinstance(value, (int, float)):
        return ("number", float(value))
    return ("string", str(value))


def _arguments(raw: Any, where: str, error: type[ValueError]) -> Any:
    if raw is None:
        return {}
    if isinstance(raw, str):
        try:
            return json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError as exc:
            raise error(f"{where}: arguments are not valid JSON ({exc})") from None
    if isinstance(raw, dict):
        return raw
    raise error(f"{where}: arguments must be a JSON object, got {type(raw).__name__}")


def _from_dict(raw: Any, where: str, error: type[ValueError]) -> Call:
    """A call given as ``{"name", "arguments"}`` or OpenAI's ``{"function": {...}}``."""
    if not isinstance(raw, dict):
        raise error(f"{where}: expected a tool call object, got {type(raw).__name__}")
    function = raw.get("function")
    body: dict[str, Any] = function if isinstance(function, dict) else raw
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise error(f"{where}: the tool call has no function name")
    arguments = body.get("arguments", body.get("parameters"))
    return Call(name, _arguments(arguments, where, error))


def message_calls(message: Message, error: type[ValueError] = ToolCallFormatError) -> list[Call]:
    """Calls of a message: OpenAI ``tool_calls``, legacy ``function_call``, ``<tool_call>`` tags.

    Raises:
        ToolCallFormatError (or ``error``): a call is malformed.
    """
    calls = [
        Call(tc.function.name, _arguments(tc.function.arguments, f"tool_calls[{i}]", error))
        for i, tc in enumerate(message.tool_calls or [])
    ]
    if message.function_call is not None:
        function = message.function_call
        calls.append(Call(function.name, _arguments(function.arguments, "function_call", error)))
    text = strip_think(message_text(message))
    if text.count("<tool_call>") != text.count("</tool_call>"):
        raise error("<tool_call> and </tool_call> tags do not pair up")
    for index, body in enumerate(_TOOL_CALL.findall(text)):
        where = f"<tool_call> {index + 1}"
        try:
            raw = json.loads(body)
        except json.JSONDecodeError as exc:
            raise error(f"{where}: not valid JSON ({exc})") from None
        except RecursionError:
            raise error(f"{where}: JSON nested too deeply") from None
        calls.append(_from_dict(raw, where, error))
    return calls


def _as_message(message: Message | dict[str, Any]) -> Message:
    return message if isinstance(message, Message) else Message.model_validate(message)


def response_calls(messages: list[Message]) -> list[Call]:
    """The calls the last assistant message makes (possibly none)."""
    return message_calls(_as_message(last_assistant_message(messages)))


def expected_calls(ground_truth: Any) -> list[Call]:
    """The calls a ground truth expects.

    Accepts ``{"tool_calls": [...]}``, one call ``{"name", "arguments"}``, a list of calls
    (OpenAI shape or ``{"name", "arguments"}``), or a list of messages whose last assistant
    message makes the calls. ``[]`` expects no call.

    Raises:
        RewardInputError: the ground truth is missing or malformed.
    """
    if ground_truth is None:
        raise RewardInputError("ground_truth is required: the expected tool calls")
    if (
        isinstance(ground_truth, list)
        and ground_truth
        and all(
            isinstance(m, Message) or (isinstance(m, dict) and "role" in m) for m in ground_truth
        )
    ):
        try:
            message = _as_message(last_assistant_message(ground_truth))
        except ValueError as exc:
            raise RewardInputError(f"ground_truth given as messages: {exc}") from None
        return message_calls(message, RewardInputError)
    if isinstance(ground_truth, dict) and "tool_calls" in ground_truth:
        ground_truth = ground_truth["tool_calls"] or []
    if isinstance(ground_truth, dict):
        return [_from_dict(ground_truth, "ground_truth", RewardInputError)]
    if isinstance(ground_truth, list):
        return [
            _from_dict(raw, f"ground_truth[{i}]", RewardInputError)
            for i, raw in enumerate(ground_truth)
        ]
    raise RewardInputError(
        f"ground_truth must be {{'tool_calls': [...]}}, a call or a list of calls, "
        f"got {type(ground_truth).__name__}"
    )


def json_type(value: Any) -> str:
    """The JSON Schema type name of a parsed JSON value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def features(arguments: Any) -> set[str]:
    """``path:type`` of every argument, nested object keys and array items included."""
    found: set[str] = set()
    if isinstance(arguments, dict):
        for key, value in arguments.items():
            _walk(value, str(key), found)
    return found


def _walk(value: Any, path: str, found: set[str]) -> None:
    found.add(f"{path}:{json_type(value)}")
    if isinstance(value, dict):
        for key, item in value.items():
            _walk(item, f"{path}.{key}", found)
    elif isinstance(value, list):
        for item in value:
            _walk(item, f"{path}[]", found)


def _declared_types(schema: dict[str, Any]) -> list[str]:
    declared = schema.get("type", [])
    return [declared] if isinstance(declared, str) else list(declared)


def schema_features(schema: Any, arguments: Any, path: str = "") -> set[str]:
    """What a tool's parameter schema expects of these arguments, as ``path:type`` features.

    The required parameters, and the optional ones the arguments use, each with its declared
    type (an integer given where ``number`` is declared has that type too); nested objects the
    same way. Compared with :func:`features` of the arguments by Jaccard similarity.
    """
    expected: set[str] = set()
    if not isinstance(schema, dict):
        return expected
    properties = schema.get("properties") or {}
    given = arguments if isinstance(arguments, dict) else {}
    for key in dict.fromkeys([*schema.get("required", []), *given]):
        if key not in properties:
            continue
        sub = properties[key] if isinstance(properties[key], dict) else {}
        name = f"{path}{key}"
        value = given.get(key)
        kind = _kind(value if key in given else _ABSENT, sub)
        expected.add(f"{name}:{kind}")
        if kind == "object":
            expected |= schema_features(sub, value, f"{name}.")
        elif kind == "array" and isinstance(value, list):
            items = sub.get("items")
            item_schema: dict[str, Any] = items if isinstance(items, dict) else {}
            expected |= {f"{name}[]:{_kind(item, item_schema)}" for item in value}
    return expected


_ABSENT = object()


def _kind(value: Any, schema: dict[str, Any]) -> str:
    """The type a schema expects of ``value``: its own type when the schema allows it."""
    declared = _declared_types(schema)
    actual = None if value is _ABSENT else json_type(value)
    if actual is not None and (
        not declared or actual in declared or (actual == "integer" and "number" in declared)
    ):
        return actual
    return declared[0] if declared else "any"


def jaccard(left: set[str], right: set[str]) -> float:
    """|A and B| / |A or B|; two empty sets are identical (1.0)."""
    union = left | right
    return len(left & right) / len(union) if union else 1.0


def paired_jaccard(expected: list[Call], given: list[Call]) -> list[tuple[str, float]]:
    """Jaccard of each expected call with the unused given call of that name that fits best."""
    unused = list(range(len(given)))
    scores = []
    for call in expected:
        candidates = [i for i in unused if given[i].name == call.name]
        if not candidates:
            scores.append((call.name, 0.0))
            continue
        wanted = features(call.arguments)
        best = max(candidates, key=lambda i: jaccard(wanted, features(given[i].arguments)))
        unused.remove(best)
        scores.append((call.name, jaccard(wanted, features(given[best].arguments))))
    return scores


def tool_schemas(tools: Any) -> dict[str, Any]:
    """Parameter schemas by function name from OpenAI ``tools`` definitions."""
    schemas: dict[str, Any] = {}
    for tool in tools or []:
        function = tool.get("function", tool) if isinstance(tool, Mapping) else None
        if isinstance(function, Mapping) and isinstance(function.get("name"), str):
            schemas[function["name"]] = function.get("parameters") or {}
    return schemas
