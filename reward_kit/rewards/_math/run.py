"""Run math checks in the shared "math" worker pool, under a time limit (parent side)."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from reward_kit._workers import WorkerPool, shared_pool
from reward_kit.errors import EvaluationError, EvaluationTimeout, WorkerCrashed
from reward_kit.rewards._math.worker import warm_up

T = TypeVar("T")

DEFAULT_TIMEOUT = 5.0
"""Seconds one math check may take before its worker is killed and the sample marked invalid."""

_warmed: weakref.WeakSet[WorkerPool] = weakref.WeakSet()
_warm_lock = threading.Lock()


def _math_pool() -> WorkerPool:
    """The shared math pool; on first use each worker is sent an untimed warm-up first.

    Importing sympy and math-verify takes about a second, which must not count against the
    first sample's time limit. The warm-ups are queued, not awaited, so nothing blocks here.
    """
    pool = shared_pool("math")
    with _warm_lock:
        if pool not in _warmed:
            _warmed.add(pool)
            for _ in range(pool.size):
                pool.submit(warm_up)
    return pool


def describe(exc: BaseException) -> str:
    """An error message for a failed check: ours as is, anything else with its type."""
    return str(exc) if isinstance(exc, EvaluationError) else f"{type(exc).__name__}: {exc}"


async def run_check(func: Callable[..., T], *args: Any, timeout: float, **kwargs: Any) -> T:
    """Run `func` in a math worker, killing it after `timeout` seconds.

    Raises:
        EvaluationTimeout: past the time limit. WorkerCrashed: the worker died. Anything `func`
        raised is re-raised. This holds inside a `score_batch` worker too (a sync reward that
        calls a math reward): the worker then has a math pool of its own.
    """
    if timeout <= 0:
        raise ValueError(f"timeout must be positive, got {timeout}")
    pool = _math_pool()
    try:
        return await pool.arun(func, *args, timeout=timeout, **kwargs)
    except (EvaluationTimeout, WorkerCrashed):
        # The worker was replaced: warm its successor so the next sample's limit is not spent
        # importing sympy.
        pool.submit(warm_up)
        raise
