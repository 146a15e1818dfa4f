"""JSON schema reward: is the response valid JSON that satisfies a JSON Schema?"""

from __future__ import annotations

import functools
import json
from typing import Any

from reward_kit.models import EvaluateResult, Message, MetricResult
from reward_kit.rewards._common import RewardInputError, ground_truth_value, response_text
from reward_kit.rewards._json_constraints import constraints
from reward_kit.rewards._json_extract import JSONExtractionError, extract_json
from reward_kit.typed_interface import reward_function

__all__ = ["json_schema_reward"]

_MAX_REASONS = 5


def _schema(expected_schema: Any, ground_truth: Any) -> dict[str, Any] | bool:
    schema = expected_schema if expected_schema is not None else ground_truth_value(ground_truth)
    if isinstance(schema, str):
        try:
            schema = json.loads(schema)
        except json.JSONDecodeError as exc:
            raise RewardInputError(f"the schema is not valid JSON: {exc}") from None
    if not isinstance(schema, (dict, bool)):
        raise RewardInputError(f"the schema must be a JSON object, got {type(schema).__name__}")
    return schema


def _validator(schema: dict[str, Any] | bool) -> Any:
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


@reward_function
def json_schema_reward(
    messages: list[Message],
    ground_truth: Any = None,
    expected_schema: dict[str, Any] | str | None = None,
    partial_credit: bool = False,
    **kwargs: Any,
) -> EvaluateResult:
    """Score 1.0 when the response's JSON validates against the schema, else 0.0.

    The JSON is taken from the one fenced code block of the response, or the whole response,
    or the one object or array inside its text (reasoning excluded); several candidate values
    score 0. Validation is real JSON Schema (``jsonschema``, the draft the schema declares,
    2020-12 by default): required properties, enums, ``integer`` vs ``number``, nesting,
    arrays, ``$ref``, formats.

    Args:
        messages: The conversation; its last assistant message is judged.
        ground_truth: The schema, when ``expected_schema`` is not given (a dict, its JSON text,
            or a list of messages whose last assistant message holds its JSON).
        expected_schema: The JSON Schema (a dict or JSON text).
        partial_credit: True: valid JSON scores the fraction of the schema's constraints it
            satisfies (each keyword of each subschema is one constraint).
    """
    try:
        validator = _validator(_schema(expected_schema, ground_truth))
        text = response_text(messages)
    except RewardInputError as exc:
        return EvaluateResult.invalid(str(exc))
    try:
        instance, found_in = extract_json(text)
    except JSONExtractionError as exc:
        reason = f"no usable JSON: {exc}"
        metrics = {"json_parse": MetricResult(score=0.0, reason=str(exc), success=False)}
        return EvaluateResult(score=0.0, reason=reason, metrics=metrics)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    valid = not errors
    metrics = {
        "json_parse": MetricResult(score=1.0, reason=f"parsed from the {found_in}", success=True),
        "schema_valid": MetricResult(
            score=float(valid),
            reason="valid" if valid else "; ".join(map(_describe, errors[:_MAX_REASONS])),
            success=valid,
        ),
    }
    score = float(valid)
    if partial_credit:
        checks = constraints(validator, validator.schema, instance)
        met = sum(checks.values())
        score = met / len(checks) if checks else 1.0
        metrics["constraints"] = MetricResult(
            score=score, reason=f"{met}/{len(checks)} schema constraints satisfied"
        )
    reason = (
        f"JSON from the {found_in} satisfies the schema"
        if valid
        else f"{len(errors)} schema violation(s): "
        + "; ".join(map(_describe, errors[:_MAX_REASONS]))
    )
    return EvaluateResult(score=score, reason=reason, metrics=metrics)
