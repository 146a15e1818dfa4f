"""Keep-alive connections to one server, split over several small httpx pools.

httpcore's connection pool rescans all its connections, several times, whenever a request
starts or ends (quadratic in the pool size, with a ``poll`` syscall per idle connection). At 64
connections that cost about 1.5 ms of CPU per request, which at high concurrency is most of the
client's time. Pools of at most ``_SHARD_SIZE`` connections, each request sent through the least
busy one, keep that scan short while still holding one connection per allowed request.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping

import httpx

_SHARD_SIZE = 8


class ConnectionPools:
    """``httpx.AsyncClient`` instances sharing the load of one client's requests.

    Args:
        base_url: The API root; requests go to ``<base_url>/chat/completions``.
        headers: Headers sent with every request.
        connections: Connections to keep in total (the client's highest concurrency).
        timeout: Seconds allowed per connect, read and write (the total is bounded by the
            caller too).
    """

    def __init__(
        self, base_url: str, headers: Mapping[str, str], connections: int, timeout: float
    ) -> None:
        shards = -(-connections // _SHARD_SIZE)
        size = -(-connections // shards)
        limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
        tls = httpx.create_ssl_context()  # loading CA certificates takes ~20 ms: do it once
        self._clients = [
            httpx.AsyncClient(
                base_url=base_url + "/",
                headers=headers,
                timeout=timeout,
                limits=limits,
                verify=tls,
            )
            for _ in range(shards)
        ]
        self._load = [0] * shards

    async def post_chat(self, payload: bytes, timeout: float) -> httpx.Response:
        """POST a chat request through the least busy pool, giving up after ``timeout`` s."""
        index = min(range(len(self._load)), key=self._load.__getitem__)
        self._load[index] += 1
        try:
            post = self._clients[index].post("chat/completions", content=payload)
            if sys.version_info >= (3, 11):
                async with asyncio.timeout(timeout):
                    return await post
            return await asyncio.wait_for(post, timeout)
        finally:
            self._load[index] -= 1

    async def aclose(self) -> None:
        """Close every connection."""
        await asyncio.gather(*(client.aclose() for client in self._clients))
