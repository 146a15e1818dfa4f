"""The rewards of a run: loaded from the config, scored through ``Scorer``, combined by weight."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reward_kit._combine import (
    combine_results,
    normalized_weights,
    require_unique_names,
    reward_name,
)
from reward_kit._workers import CallPool
from reward_kit.models import EvaluateResult
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
        loaded: Rewards already loaded, by the ``function_path`` that names them (preview's
            metrics folders and remote evaluator); the other references are looked up.
    """

    def __init__(
        self, config: RunConfig, base_dir: Path | None, loaded: Mapping[str, Any] | None = None
    ) -> None:
        specs = list(config.rewards) or [
            RewardSpec(function_path=config.reward.function_path or "", params=config.reward.params)
        ]
        params = config.evaluation_params
        pool = _ray_pool(config.scoring)
        self.rewards: list[_Reward] = []
        for spec in specs:
            if loaded is not None and spec.function_path in loaded:
                function = loaded[spec.function_path]
            else:
                function = find_reward(spec.function_path, base_dir)
            name = spec.name or reward_name(function, spec.function_path)
            scorer = Scorer(function, workers=params.workers, timeout=params.timeout, pool=pool)
            self.rewards.append(
                _Reward(name, spec.function_path, scorer, dict(spec.params), spec.weight)
            )
        require_unique_names(self.names, "give one a name: rewards[].name")
        if len(self.rewards) > 1:
            normalized_weights(reward.weight for reward in self.rewards)  # checks they add up

    @property
    def specs(self) -> list[dict[str, Any]]:
        """Each reward's name, reference, parameters and weight: enough to rebuild the set."""
        return [
            {"name": r.name, "reference": r.reference, "params": r.params, "weight": r.weight}
            for r in self.rewards
        ]

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
        named = {reward.name: result for reward, result in zip(self.rewards, results, strict=True)}
        return combine_results(named, {reward.name: reward.weight for reward in self.rewards})
