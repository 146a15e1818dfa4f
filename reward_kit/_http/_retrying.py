"""One attempt at a request, and the retry loop every client of the package runs it in."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import httpx

from reward_kit._http._messages import server_message
from reward_kit._http._policy import RetryPolicy, is_retryable_status, parse_retry_after
from reward_kit._http._pool import ConnectionPools

T = TypeVar("T")
FailureKind = Literal["status", "timeout", "connection", "malformed"]
_log = logging.getLogger("reward_kit.http")


@dataclass
class Failure:
    """Why an attempt failed in a way that a later attempt may not.

    Attributes:
        kind: An HTTP ``status`` (see :func:`is_retryable_status`), a ``timeout``, a
            ``connection`` error, or a ``malformed`` (unparsable) body.
        status: The HTTP status, when a response came.
        detail: What happened, with the server's message (``"HTTP 503: overloaded"``).
        retry_after: Seconds the server asked to wait (``Retry-After``), if it did.
    """

    kind: FailureKind
    status: int | None
    detail: str
    retry_after: float | None = None


class RetriesExhausted(Exception):
    """Every attempt failed; ``failure`` is the last one's and ``attempts`` their number."""

    def __init__(self, failure: Failure, attempts: int) -> None:
        super().__init__(f"gave up after {attempts} attempts: {failure.detail}")
        self.failure = failure
        self.attempts = attempts


async def attempt(
    pools: ConnectionPools, method: str, url: str, *, timeout: float, **kwargs: Any
) -> httpx.Response | Failure:
    """Send one request: the response (a success, or a status not worth retrying) or a failure.

    Args:
        pools: The connections to send it through.
        method: The HTTP method.
        url: Absolute, or relative to the pools' base URL.
        timeout: Seconds the request may take in total.
        **kwargs: Passed to httpx (``json``, ``content``, ``params``, ``headers``).
    """
    try:
        response = await pools.send(method, url, timeout, **kwargs)
    except (TimeoutError, httpx.TimeoutException):
        return Failure("timeout", None, f"no response within {timeout:g} s")
    except httpx.TransportError as exc:
        return Failure("connection", None, f"connection error: {type(exc).__name__}: {exc}")
    status = response.status_code
    if not is_retryable_status(status):
        return response
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    return Failure("status", status, f"HTTP {status}: {server_message(response)}", retry_after)


async def with_retries(
    send: Callable[[], Awaitable[T | Failure]],
    policy: RetryPolicy,
    *,
    where: str = "",
    redact: Callable[[str], str] = str,
    logger: logging.Logger = _log,
) -> T:
    """Call ``send`` until it returns something other than a :class:`Failure`.

    Args:
        send: One attempt; a :class:`Failure` means "worth another try".
        policy: How often to retry and how long to wait in between.
        where: Named in the debug log line of each retry.
        redact: Applied to failure details before they are logged (hides API keys).
        logger: Where each retry is logged, at DEBUG level.

    Raises:
        RetriesExhausted: the last of ``policy.max_retries + 1`` attempts failed too.
    """
    number = 0
    while True:
        number += 1
        result = await send()
        if not isinstance(result, Failure):
            return result
        if number > policy.max_retries:
            raise RetriesExhausted(result, number)
        delay = policy.delay(number, result.retry_after)
        logger.debug(
            "%s: attempt %d/%d failed (%s), retrying in %.2f s",
            where,
            number,
            policy.max_retries + 1,
            redact(result.detail),
            delay,
        )
        await asyncio.sleep(delay)
