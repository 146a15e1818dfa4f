"""The rewards of a run: loaded from the config, scored through ``Scorer``, combined by weight."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reward_kit._workers import CallPool
from reward_kit.models import EvaluateResult, MetricResult
from reward_kit.pipeline._resolve import find_reward
from reward_kit.pipeline.config import RewardSpec, RunConfig, ScoringConfig
from reward_kit.scoring import Scorer

__all__ = ["RewardSet"]


@dataclass
class _Reward:
    name: str
    reference: str
    scorer: Scorer
    params: dict[str, Any]
    weight: float


def _reward_name(function: Any, reference: str) -> str:
    info = getattr(function, "__reward_kit__", None)
    if info is not None:
        return str(info.name)
    return str(getattr(function, "__name__", reference))


def _ray_pool(scoring: ScoringConfig) -> CallPool | None:
    """The Ray pool of ``scoring.executor=ray`` (None: the local worker processes)."""
    if scoring.executor != "ray":
        return None
    from reward_kit.integrations.ray import shared_ray_pool

    return shared_ray_pool(scoring.ray_address, scoring.num_cpus_per_task, scoring.max_in_flight)


class RewardSet:
    """One reward, or several combined into a weighted mean with each one's score in metrics.

    Args:
        config: The run config (``reward`` or ``rewards``, and ``evaluation_params``).
        base_dir: The config's folder, where ``function_path`` references are also resolved.
    """

    def __init__(self, config: RunConfig, base_dir: Path | None) -> None:
        specs = list(config.rewards) or [
            RewardSpec(function_path=config.reward.function_path or "", params=config.reward.params)
        ]
        params = config.evaluation_params
        pool = _ray_pool(config.scoring)
        self.rewards: list[_Reward] = []
        for spec in specs:
            function = find_reward(spec.function_path, base_dir)
            name = spec.name or _reward_name(function, spec.function_path)
            if any(reward.name == name for reward in self.rewards):
                name = f"{name}_{len(self.rewards)}"
            scorer = Scorer(function, workers=params.workers, timeout=params.timeout, pool=pool)
            self.rewards.append(
                _Reward(name, spec.function_path, scorer, dict(spec.params), spec.weight)
            )
        total = sum(reward.weight for reward in self.rewards)
        if len(self.rewards) > 1 and total <= 0:
            raise ValueError("the weights of rewards must add up to a positive number")
        self._total_weight = total

    @property
    def names(self) -> list[str]:
        """The rewards' names, as they appear in metrics."""
        return [reward.name for reward in self.rewards]

    @property
    def batched(self) -> bool:
        """True when a reward is batch-mode: samples must then be scored in groups."""
        return any(reward.scorer.is_batch for reward in self.rewards)

    async def score_group(self, samples: list[dict[str, Any]]) -> list[EvaluateResult]:
        """Score samples together: a batch-mode reward gets all of them in one call.

        A failed call makes each of its samples invalid with the error (``Scorer`` does that).
        """
        scored = await asyncio.gather(
            *(
                reward.scorer.score_many([{**sample, **reward.params} for sample in samples])
                for reward in self.rewards
            )
        )
        if len(self.rewards) == 1:
            return scored[0]
        return [self._combine(list(results)) for results in zip(*scored, strict=True)]

    async def score(self, sample: dict[str, Any]) -> EvaluateResult:
        """Score one sample ``{"messages", "ground_truth", **columns}`` with every reward."""
        if len(self.rewards) == 1:
            reward = self.rewards[0]
            return await reward.scorer.score({**sample, **reward.params})
        results = await asyncio.gather(
            *(reward.scorer.score({**sample, **reward.params}) for reward in self.rewards)
        )
        return self._combine(list(results))

    def _combine(self, results: list[EvaluateResult]) -> EvaluateResult:
        metrics: dict[str, MetricResult] = {}
        errors = []
        reasons = []
        for reward, result in zip(self.rewards, results, strict=True):
            metrics[reward.name] = MetricResult(
                score=result.score,
                reason=result.reason or "",
                is_score_valid=result.is_score_valid,
            )
            for key, metric in result.metrics.items():
                metrics[f"{reward.name}.{key}"] = metric
            if not result.is_score_valid:
                errors.append(f"{reward.name}: {result.error or 'score not valid'}")
            reasons.append(f"{reward.name}={result.score:g}")
        if errors:
            return EvaluateResult(
                score=0.0,
                is_score_valid=False,
                error="; ".join(errors),
                reason="; ".join(errors),
                metrics=metrics,
            )
        combined = sum(r.weight * res.score for r, res in zip(self.rewards, results, strict=True))
        return EvaluateResult(
            score=combined / self._total_weight,
            reason="weighted mean of " + ", ".join(reasons),
            metrics=metrics,
        )
