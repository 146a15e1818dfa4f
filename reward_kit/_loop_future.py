"""A worker-pool call's future that settles straight on the event loop awaiting it.

``asyncio.wrap_future`` around a ``concurrent.futures.Future`` costs a lock, a condition and
two chained futures per call; for calls that take tens of microseconds that is most of the
cost. This future has the part of the ``concurrent.futures.Future`` interface the pool's
dispatcher threads use, and hands the outcome to an asyncio future on its loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["LoopFuture"]

_PENDING, _RUNNING, _DONE = "pending", "running", "done"


class LoopFuture:
    """Settled by a dispatcher thread, awaited on ``loop`` through :attr:`awaitable`."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.awaitable: asyncio.Future[Any] = loop.create_future()
        self._state = _PENDING
        self._lock = threading.Lock()

    def set_running_or_notify_cancel(self) -> bool:
        """Mark the call started; False when its caller has stopped waiting (do not run it)."""
        with self._lock:
            if self._state != _PENDING:
                return False
            if self.awaitable.cancelled():  # the awaiting task was cancelled
                self._state = _DONE
                return False
            self._state = _RUNNING
            return True

    def cancel(self) -> bool:
        """Cancel the call if it has not started."""
        with self._lock:
            if self._state != _PENDING:
                return False
            self._state = _DONE
        self._on_loop(lambda future: future.cancel())
        return True

    def done(self) -> bool:
        return self._state == _DONE

    def set_result(self, value: Any) -> None:
        self._finish(lambda future: future.set_result(value))

    def set_exception(self, exc: BaseException) -> None:
        self._finish(lambda future: future.set_exception(exc))

    def _finish(self, settle: Callable[[asyncio.Future[Any]], object]) -> None:
        with self._lock:
            self._state = _DONE
        self._on_loop(settle)

    def _on_loop(self, settle: Callable[[asyncio.Future[Any]], object]) -> None:
        def run() -> None:
            if not self.awaitable.done():
                settle(self.awaitable)

        with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
            self._loop.call_soon_threadsafe(run)
