"""Calling a remote evaluator over HTTP with the wire format (``EvaluationRequest``).

The async function is the one implementation; sync callers reach it through
``reward_kit._async_bridge.run_sync``. Retries follow the package's one transport policy
(:mod:`reward_kit._http`): connection errors, timeouts, 408, 425, 429 and 5xx answers are
retried with jittered exponential backoff, honouring ``Retry-After``; any other 4xx is reported
at once with the server's message.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from reward_kit._credentials import API_KEY_ENV
from reward_kit._messages import describe_validation_error
from reward_kit.errors import RemoteEvaluationError
from reward_kit.models import EvaluateResult, EvaluationRequest

if TYPE_CHECKING:
    import httpx


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
    from reward_kit import _http  # httpx is imported on first remote call, not with the package

    body = request.model_dump(mode="json", exclude_none=True)
    headers = auth_headers(api_key)
    pools = _http.shared_pools()

    async def send() -> httpx.Response | _http.Failure:
        return await _http.attempt(
            pools, "POST", endpoint, timeout=timeout, json=body, headers=headers
        )

    policy = _http.RetryPolicy(max_retries=max_retries, backoff_base=0.25, max_retry_after=60.0)
    try:
        response = await _http.with_retries(send, policy, where=endpoint)
    except _http.RetriesExhausted as exc:
        raise RemoteEvaluationError(
            f"evaluator at {endpoint} failed after {exc.attempts} attempts: {exc.failure.detail}",
            status_code=exc.failure.status,
        ) from None
    if response.status_code >= 400:
        raise RemoteEvaluationError(
            f"evaluator at {endpoint} rejected the request: "
            f"HTTP {response.status_code}: {_http.server_message(response)}",
            status_code=response.status_code,
        )
    return _parse_result(endpoint, response)


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
