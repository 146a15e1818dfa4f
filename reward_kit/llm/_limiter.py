"""Adaptive bound on concurrent requests that backs off from rate limits but shrugs off noise.

Some servers answer a small share of requests with HTTP 429 whatever the load (a busy replica,
a shared pool); halving on every such 429, as plain AIMD does, starves a run (2% of 429s held
64 allowed requests near 10). A real rate limit instead rejects a share of requests that grows
with the load. So the limiter judges the *share* of 429s, not any one of them:

- outcomes are counted in rounds of ``limit`` requests (about one round trip at full load);
- a round with more than ``TOLERANCE`` of 429s sets the limit a little under what the server
  accepted in it, ``0.9 * limit * (1 - share)``, but cuts it at most to a quarter (so one
  round of refusals cannot send it to the floor);
- a round at or under ``TOLERANCE`` is background noise and does not shrink the limit;
- each success adds ``1 / limit`` (one slot per round), so the limit probes upwards again,
  except in the round right after a decrease: it checks the new limit before probing past it;
- after a decrease, answers to requests sent before it count for nothing: they describe the old
  load (TCP, too, reduces once per window and does not grow while it recovers);
- the limit that drew the 429s is remembered as a ceiling: growth stops one slot under it for
  a number of clean rounds that doubles each time the same ceiling is hit again (up to
  ``MAX_WAIT_ROUNDS``), so a steady rate limit is probed ever more rarely instead of every few
  rounds; a probe past the ceiling that goes through forgets it.

A ``Retry-After`` pauses all new requests, since rate limits are per key, not per request.
"""

from __future__ import annotations

import asyncio
from collections import deque
from enum import Enum

TOLERANCE = 0.05
"""Share of 429s in a round taken for background noise rather than a rate limit."""
MAX_WAIT_ROUNDS = 16
"""Most clean rounds spent under a known ceiling before probing it again."""
_SAME_CEILING = 1.1
"""A decrease from within this factor of the remembered ceiling hits "the same" ceiling."""
_DEEPEST_CUT = 0.25
"""The most one round can cut the limit by (to a quarter): a server refusing almost everything
is believed quickly, but one bad round cannot send the limit to the floor."""
_MARGIN = 0.9
"""A decrease goes this far below what the server accepted, so that probing upwards again
takes a few rounds instead of drawing 429s every other round."""


class Outcome(Enum):
    """How a request ended, as far as the limiter cares."""

    OK = "ok"
    THROTTLED = "throttled"
    OTHER = "other"
    """Neither success nor 429 (a 5xx, a timeout): says nothing about the rate limit."""


class AdaptiveLimiter:
    """Hands out request slots, fairly (FIFO), up to a limit that adapts to the share of 429s.

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
        self._round_ok = 0
        self._round_throttled = 0
        self._holding = False
        self._ceiling: float | None = None
        self._round_limit = float(maximum)
        """The limit when the current round began: what drew its 429s, if it ends with many."""
        self._wait_rounds = 0
        self._clean_rounds = 0
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
        """Wait for a slot; returns the epoch it was granted in (pass it to :meth:`release`)."""
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
        if epoch == self._epoch and outcome is not Outcome.OTHER:
            if outcome is Outcome.OK:
                self._round_ok += 1
                if not self._holding:
                    self._limit = min(self._growth_cap(), self._limit + 1 / self._limit)
            else:
                self._round_throttled += 1
            if self._round_ok + self._round_throttled >= int(self._limit):
                self._end_round()
        self._wake()

    def pause(self, seconds: float) -> None:
        """Hold back every new request for ``seconds`` (a server's ``Retry-After``)."""
        loop = asyncio.get_running_loop()
        self._paused_until = max(self._paused_until, loop.time() + seconds)
        self._schedule_wake(loop)

    def _growth_cap(self) -> float:
        """How far the limit may grow now: the maximum, or one slot under a known ceiling."""
        if self._ceiling is None or self._clean_rounds >= self._wait_rounds:
            return float(self.maximum)
        return max(self._limit, self._ceiling - 1)

    def _end_round(self) -> None:
        """Shrink the limit to what a round with too many 429s got through; start a new round."""
        total = self._round_ok + self._round_throttled
        if self._round_throttled > TOLERANCE * total:
            ceiling, hit = self._ceiling, self._round_limit
            same = ceiling is not None and ceiling / _SAME_CEILING <= hit <= ceiling * _SAME_CEILING
            self._wait_rounds = min(MAX_WAIT_ROUNDS, 2 * self._wait_rounds) if same else 1
            self._ceiling, self._clean_rounds = hit, 0
            accepted = self._round_ok / total
            factor = max(_MARGIN * accepted, _DEEPEST_CUT)
            self._limit = max(float(self.minimum), self._limit * factor)
            self._epoch += 1
            self.decreases += 1
            self._holding = True
        else:
            self._holding = False
            self._clean_rounds += 1
            if self._ceiling is not None and int(self._round_limit) >= int(self._ceiling):
                self._ceiling, self._wait_rounds = None, 0  # a round at the ceiling went through
        self._round_ok = self._round_throttled = 0
        self._round_limit = self._limit

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
