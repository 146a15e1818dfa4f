"""Scoring many samples with one reward: in parallel, in order, with time limits, never crashing.

Sync rewards run in a reusable pool of worker processes (all CPUs by default), so CPU-bound
rewards use every core and a stuck one can be killed; ``async def`` rewards and remote
evaluators run concurrently on the event loop. Whatever goes wrong with one sample (an exception,
a time-out, a crashed worker, a malformed sample) becomes that sample's result with
``is_score_valid=False`` and an ``error``: it never stops the batch and is never a silent 0.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from reward_kit._async_bridge import run_sync
from reward_kit._combine import reward_name
from reward_kit._results import to_evaluate_result, to_evaluate_results
from reward_kit._types import Sample, accept_legacy_ground_truth
from reward_kit._workers import CallPool, CannotSendCall, shared_pool
from reward_kit.errors import EvaluationError, EvaluationTimeout
from reward_kit.models import EvaluateResult

__all__ = ["Scorer", "ascore_batch", "score_batch"]

EXECUTORS = ("processes", "ray")
"""Where sync rewards can run: local worker processes, or Ray tasks."""


def _describe(exc: BaseException) -> str:
    """The error of a sample: our own as is, a reward's with its type and where it was raised."""
    if isinstance(exc, EvaluationError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}{_where(exc)}"


_LIBRARY_DIRS = tuple(
    os.path.join(os.path.realpath(path), "")
    for path in {os.path.dirname(__file__), sys.prefix, sys.base_prefix}
)


def _where(exc: BaseException) -> str:
    """`` (file, line N)`` of the innermost frame of the user's own code in the traceback.

    Frames of reward-kit and of the Python installation (the standard library, installed
    packages) are skipped, so the location is the line of the reward that raised or called
    the code that did.
    """
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = os.path.realpath(frame.filename)
        if not path.startswith(_LIBRARY_DIRS) and not frame.filename.startswith("<frozen"):
            return f" ({frame.filename}, line {frame.lineno})"
    return ""


def _is_async(reward_fn: Any) -> bool:
    if isinstance(getattr(reward_fn, "is_async", None), bool):
        return bool(reward_fn.is_async)
    info = getattr(reward_fn, "__reward_kit__", None)
    return bool(info.is_async) if info else inspect.iscoroutinefunction(reward_fn)


def _is_batch(reward_fn: Any) -> bool:
    info = getattr(reward_fn, "__reward_kit__", None)
    return bool(info and info.mode == "batch")


def _sample_kwargs(sample: Any, index: int) -> dict[str, Any]:
    """The keyword arguments of one sample; raises ValueError saying what is wrong with it."""
    if not isinstance(sample, Mapping):
        raise ValueError(
            f"sample {index}: expected a dict with 'messages', got {type(sample).__name__}"
        )
    if "messages" not in sample:
        raise ValueError(f"sample {index}: has no 'messages' (keys: {sorted(sample)})")
    return accept_legacy_ground_truth(dict(sample))


class _Evaluate:
    """A sync reward called on one sample's keyword arguments; failures become invalid results.

    One object per scorer, so a worker process receives (and unpickles) the reward only once.
    """

    def __init__(self, reward_fn: Callable[..., Any]) -> None:
        self.func = reward_fn

    def __call__(
        self, kwargs: dict[str, Any], count: int | None = None
    ) -> EvaluateResult | list[EvaluateResult]:
        """One sample's result, or with ``count`` a batch-mode reward's ``count`` results."""
        try:
            value = self.func(**kwargs)
            name = reward_name(self.func)
            if count is None:
                return to_evaluate_result(value, name)
            return to_evaluate_results(value, name, count)
        except Exception as exc:
            invalid = EvaluateResult.invalid(_describe(exc))
            return invalid if count is None else [invalid] * count

    def __repr__(self) -> str:
        return f"reward function {reward_name(self.func)!r}"


def _default_pool(executor: str, workers: int | None) -> CallPool:
    """The shared pool of ``executor`` (Ray is imported only when asked for)."""
    if executor == "ray":
        from reward_kit.integrations.ray import shared_ray_pool

        return shared_ray_pool()
    return shared_pool("scoring", workers)


def _cannot_send(exc: CannotSendCall) -> str:
    return (
        f"{exc}. Rewards run in worker processes, which receive them pickled: pass workers=0 "
        "to score in this process instead, or create that object inside the reward function "
        "(for example on its first call)"
    )


class Scorer:
    """Scores samples with one reward function; create once, use for many samples.

    Args:
        reward_fn: A ``@reward_function``, a ``RewardFunction`` or any callable taking
            ``messages``, ``ground_truth`` and ``**kwargs``.
        workers: Worker processes for sync rewards (default: all CPUs). ``0`` runs them in
            threads of this process instead: nothing needs pickling, but a time-out can only
            be reported, not stopped.
        timeout: Seconds one sample may take; past it the sample is invalid (and its worker
            process killed).
        max_concurrency: How many async or remote evaluations run at once.
        pool: A pool of the caller's to run sync rewards in, instead of the shared one (a
            server gives code with its own dependencies a pool of its own; a
            ``reward_kit.integrations.ray.RayPool`` sets Ray's address and resources).
        executor: ``"processes"`` (default): local worker processes; ``"ray"``: Ray tasks,
            on the cluster Ray is connected to (or a local Ray); see docs/scale.md.

    Rewards defined in ``__main__``, a notebook or a closure are sent to the workers by value;
    a reward holding something that cannot be pickled (a lock, a socket, a CUDA model) gives
    invalid results saying what it is and how to avoid it. Rewards in workers do not share the
    caller's globals: use ``workers=0`` for a reward that must.
    """

    def __init__(
        self,
        reward_fn: Callable[..., Any],
        *,
        workers: int | None = None,
        timeout: float | None = None,
        max_concurrency: int = 64,
        pool: CallPool | None = None,
        executor: str = "processes",
    ) -> None:
        if not callable(reward_fn):
            raise TypeError(f"reward_fn must be callable, got {type(reward_fn).__name__}")
        if timeout is not None and timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout}")
        if executor not in EXECUTORS:
            raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}, got {executor!r}")
        self.reward_fn = reward_fn
        self.timeout = timeout
        self.is_async = _is_async(reward_fn)
        self.is_batch = _is_batch(reward_fn)
        self._semaphore_size = max_concurrency
        self._evaluate = _Evaluate(reward_fn)
        self._cannot_send: str | None = None
        self._pool: CallPool | None = None
        if not self.is_async and (workers != 0 or pool is not None or executor == "ray"):
            self._pool = pool or _default_pool(executor, workers)

    async def _run_sync(self, func: Callable[..., Any], *args: Any) -> Any:
        if self._pool is None:
            return await asyncio.wait_for(asyncio.to_thread(func, *args), self.timeout)
        if self._cannot_send is not None:
            raise EvaluationError(self._cannot_send)
        try:
            return await self._pool.arun(func, *args, timeout=self.timeout)
        except CannotSendCall as exc:
            self._cannot_send = _cannot_send(exc)  # the same for every later sample
            raise EvaluationError(self._cannot_send) from None

    async def score(self, sample: Sample, index: int = 0) -> EvaluateResult:
        """Score one sample ``{"messages": [...], "ground_truth": ..., **extra}``."""
        try:
            kwargs = _sample_kwargs(sample, index)
            if self.is_batch:
                return (await self._score_batch_call([kwargs]))[0]
            if self.is_async:
                return await asyncio.wait_for(self._call_async(kwargs), self.timeout)
            result: EvaluateResult = await self._run_sync(self._evaluate, kwargs)
            return result
        except EvaluationTimeout as exc:
            return EvaluateResult.invalid(str(exc))
        except (asyncio.TimeoutError, TimeoutError):
            return EvaluateResult.invalid(f"timed out after {self.timeout:g} s")
        except Exception as exc:
            return EvaluateResult.invalid(_describe(exc))

    async def _call_async(self, kwargs: dict[str, Any]) -> EvaluateResult:
        acall = getattr(self.reward_fn, "acall", None)
        value = await (acall(**kwargs) if acall is not None else self.reward_fn(**kwargs))
        return to_evaluate_result(value, reward_name(self.reward_fn))

    async def _score_batch_call(self, samples: list[dict[str, Any]]) -> list[EvaluateResult]:
        kwargs: dict[str, Any] = {
            "rollouts_messages": [sample.pop("messages") for sample in samples],
            "ground_truths": [sample.pop("ground_truth", None) for sample in samples],
        }
        for column in sorted({key for sample in samples for key in sample}):
            kwargs[column] = [sample.get(column) for sample in samples]
        if self.is_async:
            acall = getattr(self.reward_fn, "acall", self.reward_fn)
            value = await asyncio.wait_for(acall(**kwargs), self.timeout)
            return to_evaluate_results(value, reward_name(self.reward_fn), len(samples))
        results: list[EvaluateResult] = await self._run_sync(self._evaluate, kwargs, len(samples))
        return results

    async def score_many(self, samples: Sequence[Sample]) -> list[EvaluateResult]:
        """Score samples concurrently; results come back in input order."""
        if self.is_batch:
            return await self._score_many_batched(samples)
        semaphore = asyncio.Semaphore(self._semaphore_size if self.is_async else 1 << 30)

        async def bounded(index: int, sample: Sample) -> EvaluateResult:
            async with semaphore:
                return await self.score(sample, index)

        return list(await asyncio.gather(*(bounded(i, s) for i, s in enumerate(samples))))

    async def _score_many_batched(self, samples: Sequence[Sample]) -> list[EvaluateResult]:
        results: list[EvaluateResult | None] = [None] * len(samples)
        good: list[tuple[int, dict[str, Any]]] = []
        for index, sample in enumerate(samples):
            try:
                good.append((index, _sample_kwargs(sample, index)))
            except ValueError as exc:
                results[index] = EvaluateResult.invalid(str(exc))
        if good:
            try:
                scored = await self._score_batch_call([kwargs for _, kwargs in good])
            except (asyncio.TimeoutError, TimeoutError):
                scored = [EvaluateResult.invalid(f"timed out after {self.timeout:g} s")] * len(good)
            except Exception as exc:
                scored = [EvaluateResult.invalid(_describe(exc))] * len(good)
            for (index, _), result in zip(good, scored, strict=False):
                results[index] = result
        return [result for result in results if result is not None]


async def ascore_batch(
    reward_fn: Callable[..., Any],
    samples: Sequence[Sample],
    *,
    workers: int | None = None,
    timeout: float | None = None,
    max_concurrency: int = 64,
    executor: str = "processes",
) -> list[EvaluateResult]:
    """Score ``samples`` with ``reward_fn`` without blocking the event loop.

    Args:
        reward_fn: The reward (see :class:`Scorer`).
        samples: Dicts ``{"messages": [...], "ground_truth": ..., **extra_kwargs}``.
        workers: Worker processes for sync rewards (default: all CPUs; 0: in this process).
        timeout: Seconds each sample may take.
        max_concurrency: Concurrent evaluations for async and remote rewards.
        executor: ``"processes"`` or ``"ray"`` (Ray tasks; see :class:`Scorer`).

    Returns:
        One ``EvaluateResult`` per sample, in input order; failures are invalid results.
    """
    scorer = Scorer(
        reward_fn,
        workers=workers,
        timeout=timeout,
        max_concurrency=max_concurrency,
        executor=executor,
    )
    return await scorer.score_many(samples)


def score_batch(
    reward_fn: Callable[..., Any],
    samples: Sequence[Sample],
    *,
    workers: int | None = None,
    timeout: float | None = None,
    max_concurrency: int = 64,
    executor: str = "processes",
) -> list[EvaluateResult]:
    """Score ``samples`` with ``reward_fn`` (blocking); see :func:`ascore_batch`."""
    return run_sync(
        ascore_batch(
            reward_fn,
            samples,
            workers=workers,
            timeout=timeout,
            max_concurrency=max_concurrency,
            executor=executor,
        )
    )
