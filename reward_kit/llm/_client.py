"""The async OpenAI-compatible chat client: retries, adaptive concurrency, response cache."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from reward_kit._credentials import API_KEY_ENV, DEFAULT_INFERENCE_URL
from reward_kit._http import (
    ConnectionPools,
    Failure,
    RetriesExhausted,
    RetryPolicy,
    attempt,
    server_message,
    with_retries,
)
from reward_kit._types import MessagesLike
from reward_kit.llm._cache import ResponseCache, cache_key
from reward_kit.llm._errors import (
    LLMRequestError,
    LLMUnavailableError,
    MissingAPIKeyError,
)
from reward_kit.llm._limiter import AdaptiveLimiter, Outcome
from reward_kit.llm._result import ChatResult, Usage, excerpt, read_completion
from reward_kit.llm._wire import messages_to_wire

__all__ = ["DEFAULT_API_KEY_ENV", "DEFAULT_BASE_URL", "ChatClient", "ClientStats"]

DEFAULT_BASE_URL = DEFAULT_INFERENCE_URL
DEFAULT_API_KEY_ENV = API_KEY_ENV
_log = logging.getLogger("reward_kit.llm")
_CACHE_FORMAT = 1


@dataclass
class ClientStats:
    """Counters of one client, for progress bars and run summaries."""

    requests: int = 0
    """HTTP attempts sent (retries included; cache hits excluded)."""
    retries: int = 0
    """Attempts that were retries of a failed attempt."""
    throttled: int = 0
    """Responses with HTTP 429."""
    cache_hits: int = 0
    cache_misses: int = 0
    usage: Usage = field(default_factory=Usage)
    """Tokens of the responses received from the server (cache hits excluded)."""


class ChatClient:
    """Async client for the chat-completions endpoint of any OpenAI-compatible server.

    One client should serve a whole run: it keeps connections alive, bounds and adapts the
    number of requests in flight, retries transient failures and caches responses. It belongs to
    the event loop it is first used in (use :class:`SyncChatClient` from synchronous code).

    Args:
        base_url: The API root, ending before ``/chat/completions`` (Fireworks by default).
        api_key: The key; when ``None`` it is read from ``api_key_env``.
        api_key_env: Environment variable holding the key; ``None`` with no ``api_key`` sends
            no ``Authorization`` header (local vLLM and similar servers).
        max_concurrent_requests: Starting and highest number of requests in flight; the limit
            shrinks when more than 5% of a round of requests get HTTP 429 (a rate limit, not
            noise) and grows back by one per limit's worth of successes.
        max_retries: Retries after the first attempt for HTTP 408, 425, 429 and 5xx, timeouts,
            connection errors and unparsable bodies. Other 4xx are never retried.
        timeout: Seconds one attempt may take in total.
        cache: A :class:`ResponseCache`, or a path to open one at, or ``None`` for no cache.
        backoff_base: Delay scale of the exponential backoff, in seconds.
        backoff_max: Longest backoff delay (a ``Retry-After`` from the server takes precedence).
        headers: Extra HTTP headers sent with every request.

    Raises:
        MissingAPIKeyError: no ``api_key`` and ``api_key_env`` is unset or empty.
    """

    def __init__(
        self,
        *,
        base_url: str = DEFAULT_BASE_URL,
        api_key: str | None = None,
        api_key_env: str | None = DEFAULT_API_KEY_ENV,
        max_concurrent_requests: int = 32,
        max_retries: int = 5,
        timeout: float = 120.0,
        cache: ResponseCache | str | Path | None = None,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if max_concurrent_requests < 1 or max_retries < 0 or timeout <= 0 or backoff_base < 0:
            raise ValueError(
                "need max_concurrent_requests >= 1, max_retries >= 0, timeout > 0 and "
                f"backoff_base >= 0; got {max_concurrent_requests}, {max_retries}, {timeout}, "
                f"{backoff_base}"
            )
        self.base_url = base_url.rstrip("/")
        self.max_concurrent_requests = max_concurrent_requests
        self.max_retries = max_retries
        self.timeout = timeout
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._policy = RetryPolicy(max_retries, backoff_base, backoff_max)
        self._api_key = _resolve_key(api_key, api_key_env)
        self._headers = {"Content-Type": "application/json", **(headers or {})}
        if self._api_key:
            self._headers["Authorization"] = f"Bearer {self._api_key}"
        self._owns_cache = not isinstance(cache, ResponseCache) and cache is not None
        self.cache = ResponseCache(cache) if isinstance(cache, (str, Path)) else cache
        self.limiter = AdaptiveLimiter(max_concurrent_requests)
        self.stats = ClientStats()
        self._pools: ConnectionPools | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        return (
            f"ChatClient(base_url={self.base_url!r}, "
            f"max_concurrent_requests={self.max_concurrent_requests}, cache={self.cache!r})"
        )

    async def chat(
        self,
        messages: MessagesLike,
        *,
        model: str,
        temperature: float | None = None,
        top_p: float | None = None,
        max_tokens: int | None = None,
        stop: str | Sequence[str] | None = None,
        seed: int | None = None,
        n: int = 1,
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        cache_salt: str | int | None = None,
        use_cache: bool = True,
    ) -> ChatResult:
        """Request a chat completion (or return it from the cache).

        Args:
            messages: The conversation, as ``Message`` objects or OpenAI-style dicts.
            model: Model name as the server knows it.
            temperature: Sampling parameters; ``None`` leaves each to the server's default.
            top_p: See ``temperature``.
            max_tokens: See ``temperature``.
            stop: See ``temperature``.
            seed: See ``temperature``.
            n: Number of choices to sample in this one request.
            tools: OpenAI tool definitions the model may call.
            tool_choice: ``"auto"``, ``"none"``, ``"required"`` or a specific tool.
            extra_body: More body fields, sent as they are (``response_format``, ``top_k``...).
            cache_salt: A value mixed into the cache key only, never sent: for example the
                variant index when sampling several answers to one prompt by separate requests.
            use_cache: False to neither read nor write the cache for this call.

        Raises:
            LLMRequestError: the server refused the request (4xx); retrying will not help.
            LLMUnavailableError: transient failures outlasted the retries.
            LLMResponseError: the server's answer is not a chat completion.
            InvalidMessageError: a message dict does not fit the ``Message`` model.
        """
        started = time.perf_counter()
        body: dict[str, Any] = {"model": model, "messages": messages_to_wire(messages)}
        optional: dict[str, Any] = {
            "temperature": temperature,
            "top_p": top_p,
            "max_tokens": max_tokens,
            "stop": stop if stop is None or isinstance(stop, str) else list(stop),
            "seed": seed,
            "tools": None if tools is None else [dict(tool) for tool in tools],
            "tool_choice": dict(tool_choice) if isinstance(tool_choice, Mapping) else tool_choice,
        }
        body.update({name: value for name, value in optional.items() if value is not None})
        if n != 1:
            body["n"] = n
        body.update(extra_body or {})
        where = f"{self.base_url} model {model!r}"
        cache = self.cache if use_cache else None
        key = ""
        if cache is not None:
            key = cache_key(
                {"v": _CACHE_FORMAT, "base_url": self.base_url, "body": body, "salt": cache_salt}
            )
            stored = await cache.aget(key)
            if stored is not None:
                self.stats.cache_hits += 1
                fields = read_completion(json.loads(stored), where, model)
                latency = time.perf_counter() - started
                return ChatResult(**fields, latency_s=latency, cached=True, attempts=0)
            self.stats.cache_misses += 1
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        text, fields, attempts = await self._request(payload, where, model)
        self.stats.usage = self.stats.usage + fields["usage"]
        if cache is not None:
            cache.put(key, text, fields["model"])
        latency = time.perf_counter() - started
        return ChatResult(**fields, latency_s=latency, cached=False, attempts=attempts)

    async def aclose(self) -> None:
        """Close the connections (and the cache, if the client opened it)."""
        if self._pools is not None:
            await self._pools.aclose()
            self._pools = None
        if self._owns_cache and self.cache is not None:
            self.cache.close()

    async def __aenter__(self) -> ChatClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def _request(
        self, payload: bytes, where: str, model: str
    ) -> tuple[str, dict[str, Any], int]:
        """POST with retries; returns the body text, the parsed fields and the attempt count."""
        pools = self._connection_pools()
        attempts = 0

        async def send() -> tuple[str, dict[str, Any]] | Failure:
            nonlocal attempts
            attempts += 1
            self.stats.requests += 1
            self.stats.retries += attempts > 1
            epoch = await self.limiter.acquire()
            outcome = Outcome.OTHER
            try:
                answer = await attempt(
                    pools, "POST", "chat/completions", timeout=self.timeout, content=payload
                )
                if isinstance(answer, Failure):
                    if answer.status == 429:
                        outcome = Outcome.THROTTLED
                        self.stats.throttled += 1
                        if answer.retry_after is not None:
                            self.limiter.pause(
                                min(answer.retry_after, self._policy.max_retry_after)
                            )
                    return answer
                text = self._success_text(answer)
                try:
                    data = json.loads(text)
                except ValueError as exc:
                    detail = f"response is not JSON ({exc}): {excerpt(text)}"
                    return Failure("malformed", answer.status_code, detail)
                outcome = Outcome.OK
                return text, read_completion(data, where, model)
            finally:
                self.limiter.release(epoch, outcome)

        try:
            text, fields = await with_retries(
                send, self._policy, where=where, redact=self._redact, logger=_log
            )
        except RetriesExhausted as exc:
            raise LLMUnavailableError(
                self._redact(f"{where}: {exc}"),
                kind=exc.failure.kind,
                status_code=exc.failure.status,
                attempts=exc.attempts,
            ) from None
        return text, fields, attempts

    def _success_text(self, response: httpx.Response) -> str:
        """The body of a 2xx response; any other status is a refusal retrying cannot fix."""
        status = response.status_code
        if 200 <= status < 300:
            return response.text
        message = server_message(response)
        raise LLMRequestError(
            self._redact(f"{self.base_url} rejected the request: HTTP {status}: {message}"),
            status_code=status,
            server_message=self._redact(message),
        )

    def _connection_pools(self) -> ConnectionPools:
        """The connections of the running loop, opened on first use."""
        loop = asyncio.get_running_loop()
        if self._pools is not None and loop is not self._loop:
            raise RuntimeError(
                "ChatClient was first used in another event loop; create one client per loop, "
                "or use SyncChatClient from synchronous code"
            )
        if self._pools is None:
            self._pools = ConnectionPools(
                self.max_concurrent_requests,
                self.timeout,
                base_url=self.base_url,
                headers=self._headers,
            )
            self._loop = loop
        return self._pools

    def _redact(self, text: str) -> str:
        return text.replace(self._api_key, "***") if self._api_key else text


def _resolve_key(api_key: str | None, api_key_env: str | None) -> str | None:
    if api_key is not None or api_key_env is None:
        return api_key
    key = os.environ.get(api_key_env)
    if not key:
        raise MissingAPIKeyError(
            f"no API key: set the {api_key_env} environment variable, pass api_key=..., "
            "or pass api_key_env=None for a server that needs no key"
        )
    return key
