"""Run coroutines from synchronous code, inside or outside a running event loop.

Sync facades (calling an ``async def`` reward from plain code, the remote client's sync calls)
submit their coroutine to one long-lived event loop in a daemon thread. Unlike ``asyncio.run``
per call, this works while another loop is running in the calling thread (Jupyter, FastAPI)
and lets loop-bound resources such as HTTP connection pools be reused across calls.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None


def _forget_loop_after_fork() -> None:
    global _loop
    _loop = None


os.register_at_fork(after_in_child=_forget_loop_after_fork)


def background_loop() -> asyncio.AbstractEventLoop:
    """The shared event loop running in a daemon thread, started on first use."""
    global _loop
    with _lock:
        if _loop is None:
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="reward-kit-async", daemon=True)
            thread.start()
            _loop = loop
        return _loop


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


async def on_background_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """Await ``coroutine`` on the background loop, from any event loop (that one included).

    For work that uses resources bound to the background loop (connection pools, sandbox
    processes) while the caller runs on a short-lived loop of its own (``asyncio.run``).
    """
    loop = background_loop()
    if _running_loop() is loop:
        return await coroutine
    return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coroutine, loop))


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to completion on the background loop and return its result.

    Blocks the calling thread. Inside a running loop prefer awaiting the coroutine directly:
    this call blocks that loop until the result is ready.
    """
    loop = background_loop()
    if _running_loop() is loop:
        coroutine.close()
        raise RuntimeError("run_sync() called from the background loop itself; await instead")
    return asyncio.run_coroutine_threadsafe(coroutine, loop).result()
