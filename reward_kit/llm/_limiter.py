"""Adaptive bound on concurrent requests: halve on rate limits, grow back on success.

The scheme is TCP's additive-increase / multiplicative-decrease. A 429 halves the limit once
per "window": 429s of requests that were already in flight when the limit last dropped are
answers to the old load and do not halve it again. Each success adds ``1 / limit``, so the limit
regains one slot per limit's worth of successes. A ``Retry-After`` pauses all new requests, since
rate limits are per key, not per request.
"""

from __future__ import annotations

import asyncio
from collections import deque
from enum import Enum


class Outcome(Enum):
    """How a request ended, as far as the limiter cares."""

    OK = "ok"
    THROTTLED = "throttled"
    OTHER = "other"


class AdaptiveLimiter:
    """Hands out request slots, fairly (FIFO), up to a limit that adapts to 429s.

    Args:
        maximum: The starting and highest limit.
        minimum: The lowest the limit can drop to.
    """

    def __init__(self, maximum: int, minimum: int = 1) -> None:
        if maximum < 1 or not 1 <= minimum <= maximum:
            raise ValueError(f"need 1 <= minimum <= maximum, got {minimum=} {maximum=}")
        self.maximum = maximum
        self.minimum = minimum
        self._limit = float(maximum)
        self._in_flight = 0
        self._epoch = 0
        self._paused_until = 0.0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._wake_timer: asyncio.TimerHandle | None = None
        self.max_in_flight = 0
        self.decreases = 0

    @property
    def limit(self) -> int:
        """The current number of requests allowed in flight."""
        return int(self._limit)

    @property
    def in_flight(self) -> int:
        """Requests holding a slot now."""
        return self._in_flight

    async def acquire(self) -> int:
        """Wait for a slot; returns the window it was granted in (pass it to :meth:`release`)."""
        loop = asyncio.get_running_loop()
        if not self._waiters and self._has_room(loop.time()):
            self._take()
            return self._epoch
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiters.append(waiter)
        self._schedule_wake(loop)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._in_flight -= 1  # the slot was handed over as we were cancelled
                self._wake()
            else:
                self._waiters.remove(waiter)
            raise
        return self._epoch

    def release(self, epoch: int, outcome: Outcome) -> None:
        """Give a slot back and adapt the limit to how its request ended."""
        self._in_flight -= 1
        if outcome is Outcome.THROTTLED and epoch == self._epoch:
            self._limit = max(float(self.minimum), self._limit / 2)
            self._epoch += 1
            self.decreases += 1
        elif outcome is Outcome.OK and self._limit < self.maximum:
            self._limit = min(float(self.maximum), self._limit + 1 / self._limit)
        self._wake()

    def pause(self, seconds: float) -> None:
        """Hold back every new request for ``seconds`` (a server's ``Retry-After``)."""
        loop = asyncio.get_running_loop()
        self._paused_until = max(self._paused_until, loop.time() + seconds)
        self._schedule_wake(loop)

    def _has_room(self, now: float) -> bool:
        return self._in_flight < int(self._limit) and now >= self._paused_until

    def _take(self) -> None:
        self._in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self._in_flight)

    def _wake(self) -> None:
        if not self._waiters:
            return
        now = asyncio.get_running_loop().time()
        while self._waiters and self._has_room(now):
            waiter = self._waiters.popleft()
            if not waiter.done():
                self._take()
                waiter.set_result(None)

    def _schedule_wake(self, loop: asyncio.AbstractEventLoop) -> None:
        """Make sure waiters are woken when a pause ends, even if no slot is released then."""
        if self._paused_until <= loop.time():
            return
        if self._wake_timer is not None:
            self._wake_timer.cancel()
        self._wake_timer = loop.call_at(self._paused_until, self._wake)
