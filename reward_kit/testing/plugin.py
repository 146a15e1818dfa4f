"""The pytest plugin (``pytest11`` entry point ``reward_kit``): fixtures for testing rewards.

Loaded by pytest in every project where reward-kit is installed, so it imports nothing heavy:
the fixtures import what they need when used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

__all__ = ["reward_kit_messages", "reward_kit_worker"]


@pytest.fixture
def reward_kit_messages() -> Callable[..., list[dict[str, str]]]:
    """``build_messages``: ``reward_kit_messages("What is 2+2?", "4", system=None)``."""
    from reward_kit.testing._assertions import build_messages

    return build_messages


@pytest.fixture
def reward_kit_worker() -> Callable[..., Any]:
    """Score one sample in a real worker process, as ``score_batch`` and ``reward-kit run`` do.

    Catches, in a unit test, a reward that cannot travel to a worker (it holds a lock, a
    socket, a model) or that only works with the test's globals: the test fails naming the
    part that cannot be pickled. Call it as ``reward_kit_worker(reward, messages,
    ground_truth=None, **columns)``; it returns the ``EvaluateResult``.
    """
    from reward_kit.testing._worker import score_in_worker

    return score_in_worker
