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
