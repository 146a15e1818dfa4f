"""Tests of reward_kit/_async_bridge.py: one background loop for sync facades and other loops."""

from __future__ import annotations

import asyncio

import pytest

from reward_kit._async_bridge import background_loop, on_background_loop, run_sync


async def _loop_running_it() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


def test_on_background_loop_runs_there_from_a_short_lived_loop() -> None:
    assert asyncio.run(on_background_loop(_loop_running_it())) is background_loop()


def test_on_background_loop_awaits_directly_on_the_background_loop_itself() -> None:
    async def nested() -> asyncio.AbstractEventLoop:
        return await on_background_loop(_loop_running_it())

    assert run_sync(nested()) is background_loop()


def test_run_sync_refuses_to_block_the_background_loop() -> None:
    async def blocking() -> None:
        run_sync(_loop_running_it())

    with pytest.raises(RuntimeError, match="await instead"):
        run_sync(blocking())
