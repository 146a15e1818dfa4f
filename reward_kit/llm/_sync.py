"""A blocking face on :class:`ChatClient` for code that is not async."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any, Concatenate, ParamSpec, TypeVar

from reward_kit.llm._client import ChatClient, ClientStats

__all__ = ["SyncChatClient"]

P = ParamSpec("P")
T = TypeVar("T")


def _blocking(
    method: Callable[Concatenate[ChatClient, P], Coroutine[Any, Any, T]],
) -> Callable[Concatenate[SyncChatClient, P], T]:
    """Turn an async method of ``ChatClient`` into a blocking method of ``SyncChatClient``."""

    def call(self: SyncChatClient, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return self._run(method(self.client, *args, **kwargs))

    call.__name__ = method.__name__
    call.__doc__ = method.__doc__
    return call


class SyncChatClient:
    """Runs a :class:`ChatClient` on its own event loop thread and waits for its answers.

    Safe to call from many threads at once (calls share the client's connections, limit and
    cache) and from inside a running event loop, where ``asyncio.run`` would fail.

    Args:
        client: The async client to drive; the facade takes ownership and closes it.
    """

    def __init__(self, client: ChatClient) -> None:
        self.client = client
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="reward-kit-llm", daemon=True
        )
        self._thread.start()
        self._closed = False

    def __repr__(self) -> str:
        return f"SyncChatClient({self.client!r})"

    chat = _blocking(ChatClient.chat)

    @property
    def stats(self) -> ClientStats:
        """The client's counters."""
        return self.client.stats

    def close(self) -> None:
        """Close the client and stop the loop thread (idempotent)."""
        if self._closed:
            return
        self._closed = True
        try:
            asyncio.run_coroutine_threadsafe(self.client.aclose(), self._loop).result()
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
            self._loop.close()

    def __enter__(self) -> SyncChatClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        if self._closed:
            coroutine.close()
            raise RuntimeError("SyncChatClient is closed")
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()
