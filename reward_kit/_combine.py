"""Naming rewards, and combining several rewards' results into one.

The one rule for ``reward-kit serve`` (several metrics folders), ``reward-kit run`` (``rewards:``)
and the TRL ``combine`` helper: a reward's name is its registered name, else its ``__name__``;
two rewards with one name are an error; the combined score is the weighted mean of the parts,
each part is a metric under its name with its own metrics as ``name.metric``, each step of a
multi-turn trajectory gets the weighted mean of the parts that reward it, and one part that
could not be scored makes the whole result invalid.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from reward_kit.errors import DuplicateRewardNameError
from reward_kit.models import EvaluateResult, MetricResult, StepOutput

__all__ = [
    "combine_results",
    "metric_key",
    "normalized_weights",
    "require_unique_names",
    "reward_name",
]


def reward_name(reward: Any, fallback: str | None = None) -> str:
    """The name a reward is known by: its registered name, else ``__name__``, else ``fallback``.

    Args:
        reward: A ``@reward_function``, a ``RewardFunction``, or any callable.
        fallback: Used when the reward has neither (a reference string, say); default: the
            reward's type name.
    """
    info = getattr(reward, "__reward_kit__", None)
    if info is not None:
        return str(info.name)
    name = getattr(reward, "__name__", None)
    if isinstance(name, str):
        return name
    return fallback if fallback is not None else type(reward).__name__


def require_unique_names(names: Iterable[str], hint: str = "") -> None:
    """Raise when two rewards share a name, since their metrics would overwrite each other.

    Raises:
        DuplicateRewardNameError: a name occurs twice (``hint`` says how to rename one).
    """
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise DuplicateRewardNameError(
                f"two rewards are named {name!r}, so their results would be merged"
                + (f"; {hint}" if hint else "")
            )
        seen.add(name)


def metric_key(reward: str, metric: str) -> str:
    """The key of a part's own metric in a combined result: ``reward.metric``."""
    return f"{reward}.{metric}"


def normalized_weights(weights: Iterable[float]) -> list[float]:
    """The weights scaled to add up to 1, so a weighted sum of scores is their weighted mean.

    Raises:
        ValueError: the weights add up to zero or less.
    """
    given = list(weights)
    total = math.fsum(given)
    if total <= 0:
        raise ValueError("the weights of rewards must add up to a positive number")
    return [weight / total for weight in given]


def combine_results(
    results: Mapping[str, EvaluateResult], weights: Mapping[str, float] | None = None
) -> EvaluateResult:
    """One result for several named rewards: the weighted mean of their scores.

    A single reward's result is returned as it is.

    Args:
        results: Name -> that reward's result, in order.
        weights: Name -> weight (missing names weigh 1); they must add up to a positive number.

    Raises:
        ValueError: the weights add up to zero or less.
    """
    if len(results) == 1:
        return next(iter(results.values()))
    given = [(weights or {}).get(name, 1.0) for name in results]
    weight = dict(zip(results, normalized_weights(given), strict=True))
    metrics: dict[str, MetricResult] = {}
    errors: list[str] = []
    for name, result in results.items():
        metrics[name] = MetricResult(
            score=result.score,
            reason=result.reason or result.error or "",
            is_score_valid=result.is_score_valid,
        )
        for key, metric in result.metrics.items():
            metrics[metric_key(name, key)] = metric
        if not result.is_score_valid:
            errors.append(f"{name}: {result.error or 'score not valid'}")
    if errors:
        error = "; ".join(errors)
        return EvaluateResult(
            score=0.0, reason=error, is_score_valid=False, error=error, metrics=metrics
        )
    score = math.fsum(weight[name] * result.score for name, result in results.items())
    parts = ", ".join(f"{name}={result.score:g}" for name, result in results.items())
    return EvaluateResult(
        score=score,
        reason=f"weighted mean of {parts}",
        metrics=metrics,
        step_outputs=_combine_steps(results, weight),
    )


def _combine_steps(
    results: Mapping[str, EvaluateResult], weight: Mapping[str, float]
) -> list[StepOutput] | None:
    """Each step's weighted mean over the parts that reward it, each part's value in metrics."""
    by_step: dict[int | str, dict[str, float]] = {}
    for name, result in results.items():
        for step in result.step_outputs or []:
            by_step.setdefault(step.step_index, {})[name] = step.base_reward
    if not by_step:
        return None
    steps = []
    for index, parts in by_step.items():
        total = math.fsum(weight[name] for name in parts)
        if total <= 0:  # only parts weighted 0 reward this step
            continue
        mean = math.fsum(weight[name] * value for name, value in parts.items()) / total
        steps.append(StepOutput(step_index=index, base_reward=mean, metrics=dict(parts)))
    return steps or None
