"""Keep-alive connections split over several small httpx pools.

httpcore's connection pool rescans all its connections, several times, whenever a request
starts or ends (quadratic in the pool size, with a ``poll`` syscall per idle connection). At 64
connections that cost about 1.5 ms of CPU per request, which at high concurrency is most of the
client's time. Pools of at most ``_SHARD_SIZE`` connections, each request sent through the least
busy one, keep that scan short while still holding one connection per allowed request.
"""

from __future__ import annotations

import asyncio
import sys
import weakref
from collections.abc import Mapping
from typing import Any

import httpx

_SHARD_SIZE = 8


class ConnectionPools:
    """``httpx.AsyncClient`` instances sharing the load of one client's requests.

    Args:
        connections: Connections to keep in total (the client's highest concurrency).
        timeout: Seconds allowed per connect, read and write (the total is bounded per request).
        base_url: Root that relative URLs are resolved against (none: URLs are absolute).
        headers: Headers sent with every request.
    """

    def __init__(
        self,
        connections: int,
        timeout: float,
        *,
        base_url: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        shards = -(-connections // _SHARD_SIZE)
        size = -(-connections // shards)
        limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
        tls = httpx.create_ssl_context()  # loading CA certificates takes ~20 ms: do it once
        root = base_url.rstrip("/") + "/" if base_url else ""
        self._clients = [
            httpx.AsyncClient(
                base_url=root, headers=headers, timeout=timeout, limits=limits, verify=tls
            )
            for _ in range(shards)
        ]
        self._load = [0] * shards

    @property
    def is_closed(self) -> bool:
        """True once :meth:`aclose` has run."""
        return self._clients[0].is_closed

    async def send(self, method: str, url: str, timeout: float, **kwargs: Any) -> httpx.Response:
        """Send a request through the least busy pool, giving up after ``timeout`` s in total.

        Args:
            method: The HTTP method.
            url: Absolute, or relative to ``base_url``.
            timeout: Seconds the whole request may take.
            **kwargs: Passed to ``httpx.AsyncClient.request`` (``json``, ``content``, ...).
        """
        index = min(range(len(self._load)), key=self._load.__getitem__)
        self._load[index] += 1
        try:
            sent = self._clients[index].request(method, url, timeout=timeout, **kwargs)
            if sys.version_info >= (3, 11):
                async with asyncio.timeout(timeout):
                    return await sent
            return await asyncio.wait_for(sent, timeout)
        finally:
            self._load[index] -= 1

    async def aclose(self) -> None:
        """Close every connection."""
        await asyncio.gather(*(client.aclose() for client in self._clients))


_shared: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ConnectionPools] = (
    weakref.WeakKeyDictionary()
)


def shared_pools() -> ConnectionPools:
    """The running loop's pools for calls to any server (httpx connections are loop-bound)."""
    loop = asyncio.get_running_loop()
    pools = _shared.get(loop)
    if pools is None or pools.is_closed:
        pools = _shared[loop] = ConnectionPools(256, timeout=600.0)
    return pools
