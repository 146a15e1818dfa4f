"""JSON schema reward: is the response valid JSON that satisfies a JSON Schema?"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from reward_kit.models import EvaluateResult, Message, MetricResult
from reward_kit.rewards._common import RewardInputError, ground_truth_value, response_text
from reward_kit.rewards._json_constraints import constraints
from reward_kit.rewards._json_extract import JSONExtractionError, extract_json
from reward_kit.rewards._options import check_options
from reward_kit.typed_interface import reward_function

__all__ = ["json_schema_reward", "validate_json_string"]

_MAX_REASONS = 5


Schema = dict[str, Any] | bool


def _one_schema(schema: Any) -> Schema:
    if isinstance(schema, str):
        try:
            schema = json.loads(schema)
        except json.JSONDecodeError as exc:
            raise RewardInputError(f"the schema is not valid JSON: {exc}") from None
    if not isinstance(schema, (dict, bool)):
        raise RewardInputError(f"the schema must be a JSON object, got {type(schema).__name__}")
    return schema


def _schemas(schema: Any, ground_truth: Any) -> list[Schema]:
    """The schemas to check: ``schema`` (one or a list), else the ground truth's."""
    given = schema if schema is not None else ground_truth_value(ground_truth)
    if isinstance(given, (list, tuple)):
        if not given:
            raise RewardInputError("the list of schemas is empty")
        return [_one_schema(item) for item in given]
    return [_one_schema(given)]


def _validator(schema: Schema) -> Any:
    """A validator for ``schema``, checked and built once per distinct schema."""
    try:
        key = json.dumps(schema, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise RewardInputError(f"the schema is not JSON data: {exc}") from None
    return _cached_validator(key)


@functools.lru_cache(maxsize=256)
def _cached_validator(schema_json: str) -> Any:
    # Checking a schema against its meta-schema costs ~40x a validation: do it once per schema.
    try:
        import jsonschema  # type: ignore[import-untyped]
    except ImportError:
        raise ImportError(
            "json_schema_reward needs jsonschema, a dependency of reward-kit: "
            "pip install 'jsonschema>=4.18'"
        ) from None
    schema = json.loads(schema_json)
    cls = jsonschema.validators.validator_for(schema)
    try:
        cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        message = f"the expected schema is not a valid JSON Schema: {exc.message}"
        raise RewardInputError(message) from None
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _describe(error: Any) -> str:
    where = error.json_path if hasattr(error, "json_path") else "$"
    return f"{where}: {error.message}"


def _instance(
    text: str, json_extractor: Callable[[str], Any] | None, json_index: int | None
) -> tuple[Any, str]:
    """The JSON value to validate and where it came from.

    Raises:
        JSONExtractionError: the response (or the extractor) gives no usable JSON.
    """
    if json_extractor is None:
        return extract_json(text, json_index)
    found = json_extractor(text)
    if found is None:
        raise JSONExtractionError("json_extractor found no JSON in the response")
    if not isinstance(found, str):
        return found, "json_extractor"
    value, _ = extract_json(found)
    return value, "json_extractor"


def _check(validators: list[Any], instance: Any) -> list[list[Any]]:
    return [
        sorted(v.iter_errors(instance), key=lambda e: list(e.absolute_path)) for v in validators
    ]


@reward_function
@check_options
def json_schema_reward(
    messages: list[Message],
    ground_truth: Any = None,
    expected_schema: dict[str, Any] | str | None = None,
    partial_credit: bool = False,
    schema: dict[str, Any] | str | list[dict[str, Any]] | None = None,
    json_extractor: Callable[[str], Any] | None = None,
    json_index: int | None = None,
    require_all_valid: bool = True,
    json_content: dict[str, Any] | list[Any] | str | None = None,
    **kwargs: Any,
) -> EvaluateResult:
    """Score 1.0 when the response's JSON validates against the schema, else 0.0.

    The JSON is taken from the one fenced code block of the response, or the whole response,
    or the one object or array inside its text (reasoning excluded); several candidate values
    score 0 unless ``json_index`` picks one. Validation is real JSON Schema (``jsonschema``,
    the draft the schema declares, 2020-12 by default): required properties, enums,
    ``integer`` vs ``number``, nesting, arrays, ``$ref``, formats.

    Args:
        messages: The conversation; its last assistant message is judged.
        ground_truth: The schema, when neither ``schema`` nor ``expected_schema`` is given (a
            dict, its JSON text, or a list of messages whose last assistant message holds it).
        expected_schema: The JSON Schema (a dict or JSON text).
        partial_credit: True: valid JSON scores the fraction of the schema's constraints it
            satisfies (each keyword of each subschema is one constraint).
        schema: reward-kit's name for the schema; a list gives several schemas.
        json_extractor: A function from the response text to its JSON (text, or an already
            parsed value), or None when there is none; replaces the built-in extraction.
        json_index: Which of several JSON values to validate (0-based; -1 is the last).
        require_all_valid: With several schemas, True requires every one to pass; False
            requires at least one.
        json_content: The JSON to validate instead of the response's (a parsed value, or
            text read as a response would be); the messages are then not needed.

    Returns:
        Metrics ``json_parse``, ``schema_valid`` (reward-kit: ``schema_similarity``, here the
        validation result), ``schema_<i>`` per schema when there are several, and
        ``constraints`` with ``partial_credit``.
    """
    try:
        chosen = schema if schema is not None else expected_schema
        schemas = _schemas(chosen, ground_truth)
        validators = [_validator(item) for item in schemas]
        text = json_content if isinstance(json_content, str) else None
        if json_content is None:
            text = response_text(messages)
    except RewardInputError as exc:
        return EvaluateResult.invalid(str(exc))
    try:
        if text is None:
            instance, found_in = json_content, "json_content"
        else:
            instance, found_in = _instance(text, json_extractor, json_index)
    except JSONExtractionError as exc:
        reason = f"no usable JSON: {exc}"
        metrics = {"json_parse": MetricResult(score=0.0, reason=str(exc), success=False)}
        return EvaluateResult(score=0.0, reason=reason, metrics=metrics)
    except Exception as exc:  # the user's extractor failed: not the response's fault
        return EvaluateResult.invalid(f"json_extractor raised {type(exc).__name__}: {exc}")
    errors = _check(validators, instance)
    passed = [not found for found in errors]
    valid = all(passed) if require_all_valid else any(passed)
    shown = [describe for found in errors for describe in map(_describe, found[:_MAX_REASONS])]
    metrics = {
        "json_parse": MetricResult(score=1.0, reason=f"parsed from the {found_in}", success=True),
        "schema_valid": MetricResult(
            score=float(valid),
            reason="valid" if valid else "; ".join(shown[:_MAX_REASONS]),
            success=valid,
        ),
    }
    if len(validators) > 1:
        for index, found in enumerate(errors):
            metrics[f"schema_{index}"] = MetricResult(
                score=float(not found),
                reason="valid" if not found else "; ".join(map(_describe, found[:_MAX_REASONS])),
                success=not found,
            )
    metrics["schema_similarity"] = metrics["schema_valid"]
    score = float(valid)
    if partial_credit:
        shares = []
        for validator in validators:
            checks = constraints(validator, validator.schema, instance)
            shares.append(sum(checks.values()) / len(checks) if checks else 1.0)
        score = min(shares) if require_all_valid else max(shares)
        metrics["constraints"] = MetricResult(
            score=score, reason=f"{score:.0%} of the schema constraints satisfied"
        )
    if valid:
        many = f" ({sum(passed)} of {len(passed)} schemas)" if len(passed) > 1 else ""
        reason = f"JSON from the {found_in} satisfies the schema{many}"
    else:
        total = sum(len(found) for found in errors)
        reason = f"{total} schema violation(s): " + "; ".join(shown[:_MAX_REASONS])
    return EvaluateResult(score=score, reason=reason, metrics=metrics)


def validate_json_string(json_str: str, schema: dict[str, Any] | str) -> dict[str, Any]:
    """Validate JSON text against a JSON Schema, without a conversation.

    Returns:
        ``{"valid": bool, "errors": [str, ...], "data": the parsed value or None}``; text
        that is not JSON is not valid, with the parse error as its one error.

    Raises:
        ValueError: the schema itself is not a valid JSON Schema.
    """
    validator = _validator(_one_schema(schema))
    try:
        data = json.loads(json_str)
    except json.JSONDecodeError as exc:
        return {"valid": False, "errors": [f"invalid JSON: {exc}"], "data": None}
    errors = [_describe(e) for e in _check([validator], data)[0]]
    return {"valid": not errors, "errors": errors, "data": data}
