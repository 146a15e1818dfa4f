"""One function call against an expected call schema: reward-kit's helpers and Jaccard scoring.

An expected call schema is ``{"name": ..., "arguments": {arg: {"type": ...}, ...}}`` (or
``"parameters"``: a JSON Schema object). Without a ``required`` list every argument it names
is expected.
"""

from __future__ import annotations

import json
from collections.abc import Set
from typing import Any

from reward_kit.models import EvaluateResult, MetricResult
from reward_kit.rewards._common import RewardInputError
from reward_kit.rewards._tool_calls import (
    Call,
    ToolCallFormatError,
    _from_dict,
    features,
    jaccard,
    json_type,
    response_calls,
    schema_features,
)

__all__ = [
    "calculate_jaccard_similarity",
    "call_against_schema",
    "expected_schema_jaccard",
    "extract_schema_properties",
    "match_function_call",
    "parameters_schema",
]

_STRICTNESS = ("exact", "partial", "flexible", "permissive")


def parameters_schema(expected: Any) -> tuple[str, dict[str, Any]]:
    """The expected function name and its arguments as a JSON Schema object.

    Raises:
        RewardInputError: the expected schema is not JSON, or has no function name.
    """
    if isinstance(expected, str):
        try:
            expected = json.loads(expected)
        except json.JSONDecodeError as exc:
            raise RewardInputError(f"expected_schema is not valid JSON: {exc}") from None
    if not isinstance(expected, dict) or not isinstance(expected.get("name"), str):
        raise RewardInputError('expected_schema must be {"name": ..., "arguments": {...}}')
    parameters = expected.get("parameters")
    if isinstance(parameters, dict):
        return expected["name"], parameters
    arguments = expected.get("arguments") or {}
    if not isinstance(arguments, dict):
        raise RewardInputError("expected_schema's arguments must map names to schemas")
    return expected["name"], {"type": "object", "properties": arguments, "required": [*arguments]}


def calculate_jaccard_similarity(set1: Set[Any], set2: Set[Any]) -> float:
    """Jaccard similarity, |A and B| / |A or B|; two empty sets are identical (1.0)."""
    union = set1 | set2
    return len(set1 & set2) / len(union) if union else 1.0


def _type_name(schema: Any) -> str:
    declared = schema.get("type", "any") if isinstance(schema, dict) else "any"
    return "|".join(declared) if isinstance(declared, list) else str(declared)


def extract_schema_properties(schema: dict[str, Any]) -> set[tuple[str, str]]:
    """The ``(path, type)`` pairs a JSON Schema declares.

    Nested object properties are ``parent.child``, array items ``name[]``, pattern properties
    ``[pattern]``; a property without a type is ``any``.
    """
    found: set[tuple[str, str]] = set()

    def walk(node: Any, prefix: str) -> None:
        if not isinstance(node, dict):
            return
        patterns = node.get("patternProperties") or {}
        children = [
            *(node.get("properties") or {}).items(),
            *((f"[{pattern}]", sub) for pattern, sub in patterns.items()),
        ]
        for name, sub in children:
            path = f"{prefix}.{name}" if prefix else name
            found.add((path, _type_name(sub)))
            walk(sub, path)
        items = node.get("items")
        if isinstance(items, dict):
            path = f"{prefix}[]"
            found.add((path, _type_name(items)))
            walk(items, path)

    walk(schema, "")
    return found


def _fits(value: Any, declared: str) -> bool:
    actual = json_type(value)
    allowed = set(declared.split("|"))
    return "any" in allowed or actual in allowed or (actual == "integer" and "number" in allowed)


def match_function_call(
    messages: Any,
    function_name: str,
    parsed_arguments: dict[str, Any],
    expected_call_schema: dict[str, Any],
    argument_match_strictness: str = "exact",
    **kwargs: Any,
) -> EvaluateResult:
    """Check one call's name and argument types against an expected call schema.

    Args:
        messages: Unused; kept for reward-kit's signature.
        function_name: The name the call used.
        parsed_arguments: The call's arguments, parsed.
        expected_call_schema: ``{"name", "arguments": {arg: {"type": ...}}}``.
        argument_match_strictness: ``exact``: no missing, extra or mistyped argument;
            ``partial``: missing arguments allowed, at least one given; ``flexible`` (or
            ``permissive``): extra arguments allowed.

    Returns:
        1.0 when the name matches and the arguments pass, else 0.0; metrics
        ``function_name_match`` and ``arguments_match``.
    """
    if argument_match_strictness not in _STRICTNESS:
        raise ValueError(f"argument_match_strictness must be one of {', '.join(_STRICTNESS)}")
    expected_name = expected_call_schema.get("name", "")
    name_ok = function_name == expected_name
    expected_args = expected_call_schema.get("arguments") or {}
    missing = [name for name in expected_args if name not in parsed_arguments]
    extra = [name for name in parsed_arguments if name not in expected_args]
    mistyped = [
        name
        for name, sub in expected_args.items()
        if name in parsed_arguments and not _fits(parsed_arguments[name], _type_name(sub))
    ]
    problems = {"missing": missing, "unexpected": extra, "wrong type": mistyped}
    if argument_match_strictness == "partial":
        problems["missing"] = [] if parsed_arguments else missing
    elif argument_match_strictness in ("flexible", "permissive"):
        problems["unexpected"] = []
    args_ok = not any(problems.values())
    shown = "; ".join(f"{what}: {', '.join(names)}" for what, names in problems.items() if names)
    metrics = {
        "function_name_match": MetricResult(
            score=float(name_ok),
            reason=f"expected {expected_name!r}, got {function_name!r}",
            success=name_ok,
        ),
        "arguments_match": MetricResult(
            score=float(args_ok), reason=shown or "arguments match", success=args_ok
        ),
    }
    score = float(name_ok and args_ok)
    reason = (
        "the call matches its schema"
        if score
        else "; ".join(part for part in ("" if name_ok else "wrong function", shown) if part)
    )
    return EvaluateResult(score=score, reason=reason, metrics=metrics)


def expected_schema_jaccard(call: Call | None, expected_schema: Any) -> EvaluateResult:
    """Jaccard similarity of a call's argument shape with an expected call schema.

    A call of another function, or no call, scores 0: the shape of the wrong function's
    arguments earns nothing.

    Raises:
        RewardInputError: the expected schema is malformed.
    """
    name, schema = parameters_schema(expected_schema)
    if call is None:
        return EvaluateResult(score=0.0, reason=f"no call; expected {name}")
    name_ok = call.name == name
    expected = schema_features(schema, call.arguments)
    given = features(call.arguments)
    similarity = jaccard(expected, given) if name_ok else 0.0
    missing, extra = sorted(expected - given), sorted(given - expected)
    detail = "; ".join(
        f"{what}: {', '.join(items)}"
        for what, items in (("missing", missing), ("unexpected", extra))
        if items
    )
    metrics = {
        "function_name_match": MetricResult(
            score=float(name_ok), reason=f"expected {name!r}, got {call.name!r}", success=name_ok
        ),
        "schema_similarity": MetricResult(
            score=similarity, reason=detail or "same arguments and types"
        ),
    }
    reason = (
        f"argument-schema Jaccard {similarity:.3f}" + (f" ({detail})" if detail else "")
        if name_ok
        else f"called {call.name}, expected {name}"
    )
    return EvaluateResult(score=similarity, reason=reason, metrics=metrics)


def call_against_schema(
    messages: Any, function_call: dict[str, Any] | None, expected_schema: Any
) -> EvaluateResult:
    """:func:`expected_schema_jaccard` of ``function_call``, or else of the response's call.

    The schema describes one call: a response making several scores 0.
    """
    try:
        if function_call is not None:
            calls = [_from_dict(function_call, "function_call", RewardInputError)]
        else:
            calls = response_calls(messages)
        if len(calls) > 1:
            shown = ", ".join(call.name for call in calls)
            return EvaluateResult(score=0.0, reason=f"{len(calls)} calls ({shown}); expected one")
        return expected_schema_jaccard(calls[0] if calls else None, expected_schema)
    except RewardInputError as exc:
        return EvaluateResult.invalid(str(exc))
    except ToolCallFormatError as exc:
        return EvaluateResult(score=0.0, reason=f"malformed tool call in the response: {exc}")
