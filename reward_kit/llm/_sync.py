"""A blocking face on :class:`ChatClient`, and a process-wide client shared by rewards."""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Callable, Coroutine
from typing import Any, Concatenate, ParamSpec, TypeVar

from reward_kit._async_bridge import on_background_loop, run_sync
from reward_kit.llm._client import ChatClient, ClientStats

__all__ = ["SyncChatClient", "shared_client"]

P = ParamSpec("P")
T = TypeVar("T")


def _blocking(
    method: Callable[Concatenate[ChatClient, P], Coroutine[Any, Any, T]],
) -> Callable[Concatenate[SyncChatClient, P], T]:
    """Turn an async method of ``ChatClient`` into a blocking method of ``SyncChatClient``."""

    def call(self: SyncChatClient, /, *args: P.args, **kwargs: P.kwargs) -> T:
        self._check_open()
        return run_sync(method(self.client, *args, **kwargs))

    call.__name__ = method.__name__
    call.__doc__ = method.__doc__
    return call


def _from_any_loop(
    method: Callable[Concatenate[ChatClient, P], Coroutine[Any, Any, T]],
) -> Callable[Concatenate[SyncChatClient, P], Coroutine[Any, Any, T]]:
    """Turn an async method of ``ChatClient`` into one awaitable from any event loop."""

    async def call(self: SyncChatClient, /, *args: P.args, **kwargs: P.kwargs) -> T:
        self._check_open()
        coroutine = method(self.client, *args, **kwargs)
        return await on_background_loop(coroutine)

    call.__name__ = "a" + method.__name__
    call.__doc__ = method.__doc__
    return call


class SyncChatClient:
    """Runs a :class:`ChatClient` on reward-kit's background event loop thread.

    ``chat`` blocks until the answer arrives; ``achat`` can be awaited from any event loop, even
    short-lived ones (``asyncio.run`` per call), which a plain ``ChatClient`` does not allow.
    Calls from many threads and loops share one set of connections, one concurrency limit and
    one cache.

    Args:
        client: The async client to drive; the facade takes ownership and closes it.
    """

    def __init__(self, client: ChatClient) -> None:
        self.client = client
        self._closed = False

    def __repr__(self) -> str:
        return f"SyncChatClient({self.client!r})"

    chat = _blocking(ChatClient.chat)
    achat = _from_any_loop(ChatClient.chat)

    @property
    def closed(self) -> bool:
        """True once :meth:`close` has been called."""
        return self._closed

    @property
    def stats(self) -> ClientStats:
        """The client's counters."""
        return self.client.stats

    def close(self) -> None:
        """Close the client's connections and cache (idempotent)."""
        if not self._closed:
            self._closed = True
            run_sync(self.client.aclose())

    def __enter__(self) -> SyncChatClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("SyncChatClient is closed")


_shared: dict[tuple[int, str], SyncChatClient] = {}
_shared_lock = threading.Lock()


def _sharing(factory: Callable[P, ChatClient]) -> Callable[P, SyncChatClient]:
    """Memoise ``factory`` per process and per arguments, wrapped in a ``SyncChatClient``."""

    def shared(*args: P.args, **kwargs: P.kwargs) -> SyncChatClient:
        key = (os.getpid(), repr((args, sorted(kwargs.items()))))
        with _shared_lock:
            client = _shared.get(key)
            if client is None or client.closed:
                client = _shared[key] = SyncChatClient(factory(*args, **kwargs))
            return client

    return shared


@atexit.register
def _close_shared() -> None:
    with _shared_lock:
        for client in _shared.values():
            client.close()
        _shared.clear()


shared_client = _sharing(ChatClient)
"""The process-wide :class:`SyncChatClient` for these ``ChatClient`` arguments.

Made on first use (or after the previous one was closed) and reused by every later call with
the same arguments, so that a reward called once per sample (an LLM judge) keeps its
connections, its concurrency limit and its cache across samples. Takes exactly the arguments
of :class:`ChatClient`; closed at exit.
"""
