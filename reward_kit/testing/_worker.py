"""Scoring one sample through a real worker process, failing the test if it cannot be sent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from reward_kit._pickling import dumps, unpicklable_part
from reward_kit.models import EvaluateResult
from reward_kit.scoring import score_batch

__all__ = ["score_in_worker"]


def score_in_worker(
    reward: Callable[..., Any],
    messages: list[Any],
    ground_truth: Any = None,
    *,
    timeout: float | None = 60.0,
    **columns: Any,
) -> EvaluateResult:
    """The reward's result on one sample, computed in a worker process of the shared pool."""
    try:
        dumps(reward)
    except Exception as exc:
        part = unpicklable_part(reward)
        where = f"it refers to {part}" if part else f"{type(exc).__name__}: {exc}"
        pytest.fail(
            f"{getattr(reward, '__name__', reward)!r} cannot be sent to a worker process "
            f"({where}); create that object inside the reward (e.g. on first use)",
            pytrace=False,
        )
    sample = {**columns, "messages": messages, "ground_truth": ground_truth}
    [result] = score_batch(reward, [sample], workers=1, timeout=timeout)
    return result
