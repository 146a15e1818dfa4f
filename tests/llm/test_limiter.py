"""The adaptive concurrency limiter on its own: halving, regrowth, pauses, fairness."""

from __future__ import annotations

import asyncio

import pytest

from reward_kit.llm._limiter import AdaptiveLimiter, Outcome


def test_limit_halves_once_per_window_of_throttled_requests():
    async def scenario() -> list[int]:
        limiter = AdaptiveLimiter(16)
        epochs = [await limiter.acquire() for _ in range(16)]
        for epoch in epochs[:10]:  # a burst of 429s answering the same load
            limiter.release(epoch, Outcome.THROTTLED)
        after_burst = limiter.limit
        epoch = await limiter.acquire()
        limiter.release(epoch, Outcome.THROTTLED)  # a 429 at the new limit halves again
        return [after_burst, limiter.limit, limiter.decreases]

    assert asyncio.run(scenario()) == [8, 4, 2]


def test_limit_never_drops_below_the_minimum_and_grows_back_gradually():
    async def scenario() -> tuple[int, int, int]:
        limiter = AdaptiveLimiter(8, minimum=2)
        for _ in range(5):
            limiter.release(await limiter.acquire(), Outcome.THROTTLED)
        floor = limiter.limit
        for _ in range(3):  # +1/2, +1/2.5, +1/2.9: about one slot per limit's worth
            limiter.release(await limiter.acquire(), Outcome.OK)
        one_window = limiter.limit
        for _ in range(100):
            limiter.release(await limiter.acquire(), Outcome.OK)
        return floor, one_window, limiter.limit

    assert asyncio.run(scenario()) == (2, 3, 8)


def test_waiters_are_served_in_order_and_never_exceed_the_limit():
    async def scenario() -> tuple[list[int], int]:
        limiter = AdaptiveLimiter(2)
        order: list[int] = []

        async def worker(index: int) -> None:
            epoch = await limiter.acquire()
            order.append(index)
            await asyncio.sleep(0.01)
            limiter.release(epoch, Outcome.OK)

        await asyncio.gather(*(worker(i) for i in range(10)))
        return order, limiter.max_in_flight

    order, peak = asyncio.run(scenario())
    assert order == list(range(10)) and peak == 2


def test_pause_holds_new_requests_until_it_ends():
    async def scenario() -> float:
        loop = asyncio.get_running_loop()
        limiter = AdaptiveLimiter(4)
        limiter.pause(0.2)
        started = loop.time()
        await limiter.acquire()
        return loop.time() - started

    assert asyncio.run(scenario()) >= 0.19


def test_cancelled_waiter_gives_its_slot_back():
    async def scenario() -> int:
        limiter = AdaptiveLimiter(1)
        epoch = await limiter.acquire()
        waiting = asyncio.ensure_future(limiter.acquire())
        await asyncio.sleep(0)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        limiter.release(epoch, Outcome.OK)
        await asyncio.wait_for(limiter.acquire(), 1)
        return limiter.in_flight

    assert asyncio.run(scenario()) == 1


def test_bad_bounds_are_rejected():
    with pytest.raises(ValueError, match="minimum <= maximum"):
        AdaptiveLimiter(2, minimum=3)
