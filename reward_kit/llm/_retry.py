"""When to retry a request and how long to wait before the next attempt."""

from __future__ import annotations

import random
import time
from email.utils import parsedate_to_datetime

RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
"""Statuses worth retrying: timeouts, conflicts, rate limits and server-side failures."""


def is_retryable_status(status: int) -> bool:
    """True for statuses that a later attempt may not get (429, 5xx, 408, 409)."""
    return status in RETRYABLE_STATUS or status >= 500


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait according to a ``Retry-After`` header, or ``None`` if absent or unreadable.

    Args:
        value: The header: delay seconds (``"2"``, ``"1.5"``) or an HTTP date.
        now: The current Unix time, for dates; defaults to ``time.time()``.
    """
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if moment.tzinfo is None:
            return None
        seconds = moment.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def backoff_delay(attempt: int, base: float, cap: float) -> float:
    """Jittered exponential delay before retry number ``attempt`` (1 for the first retry).

    Half of the exponential step is fixed and half random ("equal jitter"), so clients that
    failed together do not retry together, yet each one still waits a growing minimum.
    """
    step = min(cap, base * 2.0 ** (attempt - 1))
    return step / 2 + random.uniform(0, step / 2)
