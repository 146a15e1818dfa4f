"""Evaluating wire requests with one or more reward functions, off the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from reward_kit._combine import combine_results
from reward_kit._workers import WorkerPool
from reward_kit.models import EvaluateResult, EvaluationRequest
from reward_kit.scoring import Scorer

T = TypeVar("T")


def request_to_sample(request: EvaluationRequest) -> dict[str, Any]:
    """The scorer's sample for a wire request: messages, ground truth, tools and kwargs."""
    sample: dict[str, Any] = dict(request.kwargs)
    sample["messages"] = [message.model_dump(exclude_none=True) for message in request.messages]
    sample["ground_truth"] = request.ground_truth
    if request.tools is not None:
        sample["tools"] = request.tools
    return sample


class EvaluatorRuntime:
    """The reward functions of one evaluator, ready to score wire requests.

    Args:
        rewards: Name -> reward callable (a decorated function, or a ``CodeEntry``).
        workers: Worker processes for sync rewards (default: the number of CPUs).
        timeout: Seconds one evaluation may take.
        pool: A pool of this evaluator's own (one with its virtual environment); closed with
            the runtime.
    """

    def __init__(
        self,
        rewards: Mapping[str, Callable[..., Any]],
        *,
        workers: int | None = None,
        timeout: float | None = None,
        pool: WorkerPool | None = None,
    ) -> None:
        if not rewards:
            raise ValueError("an evaluator needs at least one reward function")
        self._pool = pool
        self.rewards = dict(rewards)
        self._scorers = {
            name: Scorer(reward, workers=workers, timeout=timeout, pool=pool)
            for name, reward in rewards.items()
        }

    @property
    def names(self) -> list[str]:
        """Names of the reward functions, in order."""
        return list(self._scorers)

    async def evaluate(self, request: EvaluationRequest) -> EvaluateResult:
        """Score one request; failures come back as invalid results, never as exceptions."""
        return await self.evaluate_sample(request_to_sample(request))

    async def evaluate_sample(self, sample: dict[str, Any]) -> EvaluateResult:
        """Score one sample dict ``{"messages", "ground_truth", ...}``."""
        names = list(self._scorers)
        results = await asyncio.gather(*(self._scorers[name].score(sample) for name in names))
        return combine_results(dict(zip(names, results, strict=True)))

    async def run_in_pool(self, func: Callable[..., T], arg: Any, timeout: float) -> T:
        """Run ``func(arg)`` in this evaluator's own pool (to check its code, for example)."""
        if self._pool is None:
            raise RuntimeError("this evaluator has no worker pool of its own")
        return await self._pool.arun(func, arg, timeout=timeout)

    def close(self) -> None:
        """Stop this evaluator's own worker pool, if it has one."""
        if self._pool is not None:
            self._pool.shutdown()
