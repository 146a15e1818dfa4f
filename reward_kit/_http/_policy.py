"""When a request is worth retrying and how long to wait before the next attempt.

The one policy of every HTTP client in the package (the model client, remote rewards, the
deploy client): the same statuses, the same reading of ``Retry-After``, the same backoff.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

RETRYABLE_4XX = frozenset({408, 425, 429})
"""Client-error statuses that a later attempt may not get: timeout, too early, rate limit.

Every 5xx is retryable too. 409 (Conflict) is not: it reports the state of the resource
("evaluator already exists"), which an identical request meets again.
"""


def is_retryable_status(status: int) -> bool:
    """True for statuses that a later attempt may not get (408, 425, 429 and every 5xx)."""
    return status in RETRYABLE_4XX or status >= 500


def describe_retryable_statuses() -> str:
    """The retryable statuses as the docs name them: ``"408, 425, 429 and 5xx"``."""
    return ", ".join(str(status) for status in sorted(RETRYABLE_4XX)) + " and 5xx"


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


@dataclass(frozen=True)
class RetryPolicy:
    """How many times to retry and how long to wait in between.

    Args:
        max_retries: Retries after the first attempt.
        backoff_base: Delay scale of the exponential backoff, in seconds.
        backoff_max: Longest backoff delay (a server's ``Retry-After`` takes precedence).
        max_retry_after: Longest wait a server's ``Retry-After`` can ask for.
    """

    max_retries: int = 3
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    max_retry_after: float = 600.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1 for the first).

        A ``Retry-After`` is honoured (capped, plus up to 10% so that clients told the same
        moment do not all come back at once); otherwise the jittered exponential backoff.
        """
        if retry_after is None:
            return backoff_delay(attempt, self.backoff_base, self.backoff_max)
        wait = min(retry_after, self.max_retry_after)
        return wait + random.uniform(0, 0.1 * wait)
