"""Input shapes the public API accepts, named once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reward_kit.models import Message

MessageLike = Message | dict[str, Any]
"""A message given as a ``Message`` or as an OpenAI-style dict."""

MessagesLike = Sequence[MessageLike]
"""A conversation: a sequence of messages in either shape."""

Sample = dict[str, Any]
"""One sample to score: ``{"messages": [...], "ground_truth": ..., **extra_kwargs}``."""

LEGACY_GROUND_TRUTH = "ground_truth_for_eval"
"""reward-kit's older name of the ``ground_truth`` column and keyword."""


def accept_legacy_ground_truth(sample: dict[str, Any]) -> dict[str, Any]:
    """Rename ``ground_truth_for_eval`` to ``ground_truth`` in ``sample`` (in place) unless both
    are there; returns ``sample``. The one place where the old name is accepted."""
    if LEGACY_GROUND_TRUTH in sample and "ground_truth" not in sample:
        sample["ground_truth"] = sample.pop(LEGACY_GROUND_TRUTH)
    return sample
