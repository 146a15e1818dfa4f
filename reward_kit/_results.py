"""Reading whatever a reward function returned as an ``EvaluateResult``."""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from reward_kit._messages import describe_validation_error
from reward_kit.errors import InvalidReturnValueError
from reward_kit.models import EvaluateResult, MetricResult

_EXPECTED = (
    "an EvaluateResult, a dict with its fields, a number (the score), or a legacy "
    "(score, {name: score}) tuple"
)


def _from_legacy_tuple(value: tuple[Any, ...], function_name: str) -> EvaluateResult:
    score, metric_scores = value
    if not isinstance(metric_scores, Mapping):
        raise InvalidReturnValueError(
            f"reward function {function_name!r} returned a tuple whose second item is "
            f"{type(metric_scores).__name__}, not a dict of metric scores; expected {_EXPECTED}"
        )
    warnings.warn(
        f"reward function {function_name!r} returned a (score, metrics) tuple; "
        "return an EvaluateResult instead (tuples will stop working in a future release)",
        DeprecationWarning,
        stacklevel=4,
    )
    metrics = {
        str(name): metric if isinstance(metric, MetricResult) else MetricResult(score=metric)
        for name, metric in metric_scores.items()
    }
    return EvaluateResult(score=score, metrics=metrics)


def to_evaluate_result(value: Any, function_name: str) -> EvaluateResult:
    """Return ``value`` as an ``EvaluateResult`` or raise a ``TypeError`` naming the function."""
    if isinstance(value, EvaluateResult):
        return value
    try:
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            return EvaluateResult(score=float(value))
        if isinstance(value, Mapping):
            return EvaluateResult.model_validate(dict(value))
        if isinstance(value, tuple) and len(value) == 2:
            return _from_legacy_tuple(value, function_name)
    except ValidationError as exc:
        problem = describe_validation_error(exc, "result")
        raise InvalidReturnValueError(
            f"reward function {function_name!r} returned an invalid result ({problem})"
        ) from None
    shown = repr(value)
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    raise InvalidReturnValueError(
        f"reward function {function_name!r} returned {type(value).__name__} {shown}; "
        f"expected {_EXPECTED}"
    )


def to_evaluate_results(
    value: Any, function_name: str, expected_count: int
) -> list[EvaluateResult]:
    """Read a batch reward's return value: one result per rollout, in order."""
    if not isinstance(value, (list, tuple)):
        raise InvalidReturnValueError(
            f"batch reward function {function_name!r} returned {type(value).__name__}; "
            "expected a list with one result per rollout"
        )
    if len(value) != expected_count:
        raise InvalidReturnValueError(
            f"batch reward function {function_name!r} returned {len(value)} results "
            f"for {expected_count} rollouts"
        )
    return [to_evaluate_result(item, function_name) for item in value]
