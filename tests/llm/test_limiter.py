"""The adaptive concurrency limiter on its own: noise, real limits, recovery, pauses, fairness.

Most tests drive the limiter in batches: take every slot the limit allows, then give them back
with outcomes from a scripted "server", the way a full load of requests would come back.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable

import pytest

from reward_kit.llm._limiter import AdaptiveLimiter, Outcome

OK, THROTTLED = Outcome.OK, Outcome.THROTTLED


def drive(
    limiter: AdaptiveLimiter, batches: int, outcome: Callable[[int, int], Outcome]
) -> list[int]:
    """Run ``batches`` full loads and return the limit after each.

    ``outcome(requests answered so far, index in the batch)`` decides each answer.
    """

    async def scenario() -> list[int]:
        limits, sent = [], 0
        for _ in range(batches):
            epochs = [await limiter.acquire() for _ in range(limiter.limit)]
            for index, epoch in enumerate(epochs):
                limiter.release(epoch, outcome(sent, index))
                sent += 1
            limits.append(limiter.limit)
        return limits

    return asyncio.run(scenario())


def capacity(accepted: int) -> Callable[[int, int], Outcome]:
    """A server that takes ``accepted`` requests at once and answers the rest with 429."""
    return lambda _, index: OK if index < accepted else THROTTLED


def test_sporadic_429s_barely_shrink_the_limit():
    limiter = AdaptiveLimiter(64)

    # One request in 50 is refused, whatever the load: 2% noise for 100 rounds.
    limits = drive(limiter, 100, lambda sent, _: THROTTLED if sent % 50 == 49 else OK)

    assert min(limits) >= 60 and limits[-1] >= 62


def test_a_handful_of_429s_in_one_round_is_still_noise():
    limiter = AdaptiveLimiter(64)

    drive(limiter, 1, lambda _, index: THROTTLED if index in (5, 20, 40) else OK)

    assert (limiter.limit, limiter.decreases) == (64, 0)


def test_a_sustained_share_of_429s_finds_the_servers_limit_within_a_few_rounds():
    limiter = AdaptiveLimiter(64)
    answers: list[Outcome] = []

    def server(_: int, index: int) -> Outcome:
        answers.append(OK if index < 20 else THROTTLED)
        return answers[-1]

    limits = drive(limiter, 60, server)

    assert limits[0] == 18  # just under what got through, at once
    assert all(17 <= limit <= 24 for limit in limits[1:])  # probing, a little above 20
    converged = answers[len(answers) // 3 :]
    assert converged.count(THROTTLED) <= 0.1 * len(converged)


def test_everything_refused_quarters_the_limit_once_per_round_down_to_the_minimum():
    limiter = AdaptiveLimiter(64, minimum=3)

    limits = drive(limiter, 5, lambda *_: THROTTLED)

    assert limits == [16, 4, 3, 3, 3]


def test_answers_to_the_load_before_a_decrease_do_not_decrease_it_again():
    async def scenario() -> tuple[int, int, int]:
        limiter = AdaptiveLimiter(8)
        first = [await limiter.acquire() for _ in range(8)]
        for epoch in first[:4]:
            limiter.release(epoch, OK)
        second = [await limiter.acquire() for _ in range(4)]
        for epoch in first[4:]:  # the round's 8th answer: half refused, the limit drops
            limiter.release(epoch, THROTTLED)
        after_round = limiter.limit
        for epoch in second:  # refusals of requests sent before the drop
            limiter.release(epoch, THROTTLED)
        for epoch in [await limiter.acquire() for _ in range(limiter.limit)]:
            limiter.release(epoch, OK)
        return after_round, limiter.limit, limiter.decreases

    assert asyncio.run(scenario()) == (3, 3, 1)  # 0.9 of the half that got through


def test_the_limit_grows_back_by_about_one_slot_per_round_once_the_server_recovers():
    limiter = AdaptiveLimiter(32)
    drive(limiter, 2, lambda *_: THROTTLED)
    assert limiter.limit == 2

    limits = drive(limiter, 40, capacity(1000))

    assert limits[0] == 2  # the round after a decrease checks the new limit before probing
    assert all(0 <= after - before <= 1 for before, after in itertools.pairwise(limits))
    assert limits[-1] == 32


def test_pause_holds_new_requests_until_it_ends():
    async def scenario() -> float:
        loop = asyncio.get_running_loop()
        limiter = AdaptiveLimiter(4)
        limiter.pause(0.2)
        started = loop.time()
        await limiter.acquire()
        return loop.time() - started

    assert asyncio.run(scenario()) >= 0.19


def test_a_pause_holds_requests_even_when_slots_are_free():
    async def scenario() -> tuple[bool, int]:
        limiter = AdaptiveLimiter(4)
        epoch = await limiter.acquire()
        limiter.pause(5)
        limiter.release(epoch, THROTTLED)
        waiting = asyncio.ensure_future(limiter.acquire())
        await asyncio.sleep(0.05)
        held = not waiting.done()
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        return held, limiter.in_flight

    assert asyncio.run(scenario()) == (True, 0)


def test_waiters_are_served_in_order_and_never_exceed_the_limit():
    async def scenario() -> tuple[list[int], int]:
        limiter = AdaptiveLimiter(2)
        order: list[int] = []

        async def worker(index: int) -> None:
            epoch = await limiter.acquire()
            order.append(index)
            await asyncio.sleep(0.01)
            limiter.release(epoch, OK)

        await asyncio.gather(*(worker(i) for i in range(10)))
        return order, limiter.max_in_flight

    order, peak = asyncio.run(scenario())
    assert order == list(range(10)) and peak == 2


def test_cancelled_waiter_gives_its_slot_back():
    async def scenario() -> int:
        limiter = AdaptiveLimiter(1)
        epoch = await limiter.acquire()
        waiting = asyncio.ensure_future(limiter.acquire())
        await asyncio.sleep(0)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        limiter.release(epoch, OK)
        await asyncio.wait_for(limiter.acquire(), 1)
        return limiter.in_flight

    assert asyncio.run(scenario()) == 1


def test_other_failures_say_nothing_about_rate_limits():
    limiter = AdaptiveLimiter(8)

    drive(limiter, 5, lambda *_: Outcome.OTHER)

    assert (limiter.limit, limiter.decreases) == (8, 0)


def test_bad_bounds_are_rejected():
    with pytest.raises(ValueError, match="minimum <= maximum"):
        AdaptiveLimiter(2, minimum=3)


def test_a_steady_limit_is_probed_ever_more_rarely():
    limiter = AdaptiveLimiter(16)
    answers: list[Outcome] = []

    def server(_: int, index: int) -> Outcome:
        answers.append(OK if index < 6 else THROTTLED)
        return answers[-1]

    drive(limiter, 200, server)

    late = answers[len(answers) // 2 :]
    early = answers[: len(answers) // 4]
    assert late.count(THROTTLED) < early.count(THROTTLED)
    assert late.count(THROTTLED) <= 0.03 * len(late)  # probes come every 16 rounds at most
