"""Generation sharded across Ray actors (``generation.shards=N``).

The driver keeps one :class:`ShardedChatClient`: the ordinary ``ChatClient`` (cache key, cache
lookups and stores, response parsing, usage counts) whose HTTP step is handed to one of N Ray
actors. Each actor holds its own ``ChatClient`` with the run's API settings and its share of
``max_concurrent_requests`` (its own connections, retries and 429 adaptation), sends the
request body the driver built, and answers with plain data: the response text and the attempt
count, or the error's fields. The driver parses the text itself, so nothing an actor returns runs
code when loaded.

The cache stays with the driver rather than being opened by every actor: actors may run on other
nodes, where the driver's SQLite file does not exist, and SQLite's write-ahead log only works
between processes of one host (not over NFS). Only cache misses reach the actors, and they are
started on the first miss, so a rerun served from the cache starts none.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from reward_kit._http import FailureKind
from reward_kit.llm import ChatClient, LLMError, LLMRequestError, LLMUnavailableError
from reward_kit.llm._errors import LLMResponseError
from reward_kit.llm._result import read_completion

__all__ = ["ShardedChatClient", "concurrency_shares"]


def concurrency_shares(total: int, shards: int) -> list[int]:
    """``total`` requests in flight split over ``shards`` actors as evenly as possible."""
    base, extra = divmod(total, shards)
    return [base + (index < extra) for index in range(shards)]


class _GenerationShard:
    """The Ray actor: one ``ChatClient`` sending the requests the driver gives it."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.client = ChatClient(**settings)

    async def send(self, payload: bytes, where: str, model: str) -> dict[str, Any]:
        """POST one request body (with retries); the reply as plain data."""
        try:
            text, _, attempts = await self.client._request(payload, where, model)
        except LLMRequestError as exc:
            return {
                "error": "request",
                "message": str(exc),
                "status_code": exc.status_code,
                "server_message": exc.server_message,
            }
        except LLMUnavailableError as exc:
            return {
                "error": "unavailable",
                "message": str(exc),
                "kind": exc.kind,
                "status_code": exc.status_code,
                "attempts": exc.attempts,
            }
        except LLMError as exc:
            return {"error": "response", "message": str(exc)}
        return {"text": text, "attempts": attempts}


class ShardedChatClient(ChatClient):
    """A ``ChatClient`` whose requests are sent by ``shards`` Ray actors (see the module doc).

    Args:
        shards: Number of actors; each gets its share of ``max_concurrent_requests``.
        ray_address: The Ray to connect to when Ray is not initialized yet (as ``RayPool``).
        **settings: The ``ChatClient`` arguments (``cache`` stays with the driver). The key is
            resolved here, so a missing one fails before any actor starts; it reaches the
            actors as a variable of their runtime env, never as an actor argument.

    Raises:
        MissingAPIKeyError: as ``ChatClient``.
    """

    def __init__(self, *, shards: int, ray_address: str | None, **settings: Any) -> None:
        super().__init__(**settings)
        if not 1 <= shards <= self.max_concurrent_requests:
            raise ValueError(
                f"need 1 <= shards <= max_concurrent_requests, got {shards} shards for "
                f"{self.max_concurrent_requests} requests"
            )
        self.shards = shards
        self.ray_address = ray_address
        self._actor_key = self._api_key
        self._settings = {
            name: value
            for name, value in settings.items()
            if name not in ("cache", "max_concurrent_requests", "api_key", "api_key_env")
        }
        self._ray: Any = None
        self._actors: list[Any] = []
        self._in_flight: list[int] = []
        self._start_lock = asyncio.Lock()

    async def _request(
        self, payload: bytes, where: str, model: str
    ) -> tuple[str, dict[str, Any], int]:
        """Send through the least busy actor; parse its answer here."""
        actors = await self._started()
        index = min(range(len(actors)), key=self._in_flight.__getitem__)
        self._in_flight[index] += 1
        try:
            reply: dict[str, Any] = await actors[index].send.remote(payload, where, model)
        except self._ray.exceptions.RayError as exc:  # the actor (or its node) died
            first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise LLMUnavailableError(
                f"{where}: generation shard {index} failed: {first_line}",
                kind="connection",
                status_code=None,
                attempts=1,
            ) from None
        finally:
            self._in_flight[index] -= 1
        attempts = int(reply.get("attempts") or 1)
        self.stats.requests += attempts
        self.stats.retries += attempts - 1
        error = reply.get("error")
        if error == "request":
            raise LLMRequestError(
                reply["message"],
                status_code=int(reply["status_code"]),
                server_message=str(reply["server_message"]),
            )
        if error == "unavailable":
            kind: FailureKind = reply["kind"]
            raise LLMUnavailableError(
                reply["message"], kind=kind, status_code=reply["status_code"], attempts=attempts
            )
        if error is not None:
            raise LLMResponseError(str(reply["message"]))
        text = str(reply["text"])
        try:
            data = json.loads(text)
        except ValueError as exc:  # the actor checked it; a corrupted reply is still an error
            raise LLMResponseError(f"{where}: response is not JSON ({exc})") from None
        return text, read_completion(data, where, model), attempts

    async def _started(self) -> list[Any]:
        """The actors, started on the first request that missed the cache."""
        async with self._start_lock:
            if not self._actors:
                from reward_kit.integrations.ray import _ensure_ray

                ray = self._ray = await asyncio.to_thread(_ensure_ray, self.ray_address)
                options: dict[str, Any] = {
                    "num_cpus": 0,  # I/O-bound: leave the CPUs to scoring
                    "max_restarts": _RESTARTS,
                    "max_task_retries": 1,
                }
                if self._actor_key:
                    options["runtime_env"] = {"env_vars": {_KEY_ENV: self._actor_key}}
                actor_class = ray.remote(_GenerationShard)
                for share in concurrency_shares(self.max_concurrent_requests, self.shards):
                    settings = {**self._settings, "max_concurrent_requests": share}
                    settings["api_key_env"] = _KEY_ENV if self._actor_key else None
                    self._actors.append(
                        actor_class.options(max_concurrency=max(2 * share, 2), **options).remote(
                            settings
                        )
                    )
                    self._in_flight.append(0)
            return self._actors

    async def aclose(self) -> None:
        """Stop the actors, then close as a ``ChatClient`` does."""
        if self._actors:
            from reward_kit.integrations.ray import import_ray

            ray = import_ray()
            for actor in self._actors:
                ray.kill(actor)
            self._actors.clear()
        await super().aclose()


_RESTARTS = 3
"""Times Ray restarts a dead actor (a call it was running is sent again once)."""
_KEY_ENV = "REWARD_KIT_GENERATION_API_KEY"
"""Where an actor finds the API key: its runtime env's variable, never an actor argument."""
