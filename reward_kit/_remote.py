"""Calling a remote evaluator over HTTP with the wire format (``EvaluationRequest``).

The async function is the one implementation; sync callers reach it through
``reward_kit._async_bridge.run_sync``. Connection errors, 429 and 5xx answers are retried with
jittered exponential backoff; any other 4xx is reported at once with the server's message.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import weakref
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from reward_kit._messages import describe_validation_error
from reward_kit.errors import RemoteEvaluationError
from reward_kit.models import EvaluateResult, EvaluationRequest

if TYPE_CHECKING:
    import httpx

API_KEY_ENV = "FIREWORKS_API_KEY"
_RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = (
    weakref.WeakKeyDictionary()
)


def _client() -> httpx.AsyncClient:
    """One pooled HTTP client per event loop (httpx connections are bound to their loop)."""
    import httpx

    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None or client.is_closed:
        client = httpx.AsyncClient(limits=httpx.Limits(max_connections=256))
        _clients[loop] = client
    return client


def server_message(response: httpx.Response, limit: int = 500) -> str:
    """The error message a server put in its reply, whatever the usual shape.

    ``{"detail": ...}`` (FastAPI), ``{"error": {"message": ...}}`` (OpenAI, Google),
    ``{"error": "..."}`` or ``{"message": ...}``; else the start of the body. Shared by every
    HTTP client of the package (remote rewards, the model client, the deploy client).
    """
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        return _clip(text, limit) if text else (response.reason_phrase or "(empty body)")
    if isinstance(body, dict):
        for key in ("detail", "error", "message"):
            detail = body.get(key)
            if isinstance(detail, dict):
                nested = detail.get("message", detail.get("detail"))
                detail = nested if isinstance(nested, str) else detail
            if detail is not None:
                return _clip(detail if isinstance(detail, str) else json.dumps(detail), limit)
    return _clip(json.dumps(body), limit)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + " ..."


def _retry_delay(attempt: int, response: httpx.Response | None) -> float:
    if response is not None:
        retry_after = str(response.headers.get("retry-after", ""))
        if retry_after.replace(".", "", 1).isdigit():
            return min(float(retry_after), 60.0)
    return min(0.25 * 2.0**attempt, 8.0) * random.uniform(0.5, 1.5)


def auth_headers(api_key: str | None) -> dict[str, str]:
    """The Authorization header for ``api_key``, else for ``$FIREWORKS_API_KEY`` when set."""
    key = api_key or os.environ.get(API_KEY_ENV)
    return {"Authorization": f"Bearer {key}"} if key else {}


async def evaluate_remote(
    endpoint: str,
    request: EvaluationRequest,
    *,
    api_key: str | None = None,
    timeout: float = 30.0,
    max_retries: int = 3,
) -> EvaluateResult:
    """POST ``request`` to ``endpoint`` and return the evaluator's ``EvaluateResult``.

    Raises:
        RemoteEvaluationError: the server rejected the request (4xx, with its message), kept
            failing after ``max_retries`` retries, or answered with something that is not a result.
    """
    import httpx

    body = request.model_dump(mode="json", exclude_none=True)
    headers = auth_headers(api_key)
    last_problem = ""
    for attempt in range(max_retries + 1):
        response: httpx.Response | None = None
        try:
            response = await _client().post(endpoint, json=body, headers=headers, timeout=timeout)
        except httpx.TimeoutException:
            last_problem = f"no answer within {timeout:g} s"
        except httpx.TransportError as exc:
            last_problem = f"cannot connect ({type(exc).__name__}: {exc})"
        else:
            if response.status_code < 400:
                return _parse_result(endpoint, response)
            last_problem = f"HTTP {response.status_code}: {server_message(response)}"
            if response.status_code not in _RETRYABLE_STATUS:
                raise RemoteEvaluationError(
                    f"evaluator at {endpoint} rejected the request: {last_problem}",
                    status_code=response.status_code,
                )
        if attempt < max_retries:
            await asyncio.sleep(_retry_delay(attempt, response))
    raise RemoteEvaluationError(
        f"evaluator at {endpoint} failed after {max_retries + 1} attempts: {last_problem}",
        status_code=response.status_code if response is not None else None,
    )


def _parse_result(endpoint: str, response: httpx.Response) -> EvaluateResult:
    try:
        return EvaluateResult.model_validate(response.json())
    except ValueError as exc:
        problem = (
            describe_validation_error(exc, "result")
            if isinstance(exc, ValidationError)
            else f"body is not JSON: {response.text[:200]!r}"
        )
        raise RemoteEvaluationError(
            f"evaluator at {endpoint} answered with something that is not an EvaluateResult "
            f"({problem})",
            status_code=response.status_code,
        ) from None


def build_request(messages: Any, ground_truth: Any, kwargs: dict[str, Any]) -> EvaluationRequest:
    """The wire request for one call; a ``tools`` keyword goes into its own field."""
    from reward_kit._messages import to_messages

    extra = dict(kwargs)
    tools = extra.pop("tools", None)
    return EvaluationRequest(
        messages=to_messages(messages), ground_truth=ground_truth, tools=tools, kwargs=extra
    )
