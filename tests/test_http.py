"""Tests of reward_kit/_http: the one transport policy, and each HTTP client of the package on it.

Every client (the model client, remote rewards, the deploy client) is driven against a real
server on 127.0.0.1 that answers with scripted statuses and headers.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Iterator
from email.utils import formatdate
from pathlib import Path
from typing import Any

import httpx
import pytest

from reward_kit import RewardFunction
from reward_kit._credentials import Credentials
from reward_kit._http import (
    RETRYABLE_4XX,
    RetryPolicy,
    backoff_delay,
    describe_retryable_statuses,
    is_retryable_status,
    parse_retry_after,
    server_message,
)
from reward_kit.deploy._client import ApiError, FireworksClient
from reward_kit.errors import RemoteEvaluationError
from reward_kit.llm import ChatClient, LLMRequestError
from tests._servers.evaluator_stub import EvaluatorStub, Reply, running_evaluator_stub

NOW = 1_800_000_000.0
ROOT = Path(__file__).resolve().parents[1]
RETRIED = (408, 425, 429, 500, 502, 503, 504)
NOT_RETRIED = (400, 401, 403, 404, 409, 422)
COMPLETION = {
    "id": "x",
    "object": "chat.completion",
    "model": "m",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "4"}, "finish_reason": "stop"}
    ],
}
CONVERSATION = [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}]


# the policy


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("3", 3.0),
        (" 1.5 ", 1.5),
        ("0", 0.0),
        ("-4", 0.0),
        (formatdate(NOW + 30, usegmt=True), 30.0),
        (formatdate(NOW - 30, usegmt=True), 0.0),
        (None, None),
        ("soon", None),
        ("nan", None),
        ("", None),
    ],
)
def test_parse_retry_after(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, now=NOW) == seconds


@pytest.mark.parametrize("status", (*RETRIED, 520))
def test_retryable_status(status: int) -> None:
    assert is_retryable_status(status)


@pytest.mark.parametrize("status", NOT_RETRIED)
def test_not_retryable_status(status: int) -> None:
    assert not is_retryable_status(status)


def test_backoff_grows_is_jittered_and_capped() -> None:
    for attempt, step in [(1, 0.5), (2, 1.0), (3, 2.0), (10, 8.0)]:
        delays = {backoff_delay(attempt, base=0.5, cap=8.0) for _ in range(50)}
        assert all(step / 2 <= d <= step for d in delays)
        assert len(delays) > 1


def test_retry_after_takes_precedence_over_backoff_and_is_capped() -> None:
    policy = RetryPolicy(backoff_base=100.0, backoff_max=100.0, max_retry_after=5.0)
    assert 2.0 <= policy.delay(1, 2.0) <= 2.2
    assert 5.0 <= policy.delay(1, 3600.0) <= 5.5
    assert policy.delay(1, None) >= 50.0


@pytest.mark.parametrize(
    "where",
    ["docs/decorator.md", "docs/llm_client.md", "docs/configuration.md"],
)
def test_docs_name_the_retried_statuses(where: str) -> None:
    text = " ".join((ROOT / where).read_text(encoding="utf-8").split())
    assert f"HTTP {describe_retryable_statuses()}" in text


def test_reward_function_docstring_names_the_retried_statuses() -> None:
    text = " ".join((RewardFunction.__doc__ or "").split())
    assert f"HTTP {describe_retryable_statuses()} answers" in text
    assert describe_retryable_statuses() == "408, 425, 429 and 5xx"
    assert {408, 425, 429} == RETRYABLE_4XX


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"detail": "messages[0].role is invalid"}, "messages[0].role is invalid"),
        ({"detail": [{"loc": ["body"], "msg": "bad"}]}, '[{"loc": ["body"], "msg": "bad"}]'),
        ({"error": {"message": "model not found", "code": 404}}, "model not found"),
        ({"error": {"code": 7}}, '{"code": 7}'),
        ({"error": "quota exceeded"}, "quota exceeded"),
        ({"message": "job nope not found"}, "job nope not found"),
        ({"something": 1}, '{"something": 1}'),
        (["a", "b"], '["a", "b"]'),
    ],
)
def test_server_message_of_json_bodies(body: object, expected: str) -> None:
    assert server_message(httpx.Response(400, json=body)) == expected


def test_server_message_of_other_bodies_is_their_start_or_the_reason_phrase() -> None:
    assert server_message(httpx.Response(502, text="<html>Bad gateway</html>")) == (
        "<html>Bad gateway</html>"
    )
    assert server_message(httpx.Response(503, text="x" * 20), limit=5) == "xxxxx ..."
    assert server_message(httpx.Response(503)) == "Service Unavailable"


# each client on it


def _root(stub: EvaluatorStub) -> str:
    return stub.url.rsplit("/", 1)[0]


def _llm(stub: EvaluatorStub) -> Any:
    client = ChatClient(base_url=_root(stub), api_key="k", backoff_base=0.01, max_retries=2)

    async def call() -> Any:
        async with client:
            return await client.chat(CONVERSATION[:1], model="m")

    return asyncio.run(call()).text


def _remote(stub: EvaluatorStub) -> Any:
    return RewardFunction(mode="remote", endpoint=stub.url, max_retries=2)(CONVERSATION).score


def _deploy(stub: EvaluatorStub) -> Any:
    credentials = Credentials(api_key="k", account_id="a", api_base=_root(stub))
    with FireworksClient(credentials, max_retries=2) as client:
        return client.request("GET", "/v1/accounts/a/evaluators/e")


CLIENTS: dict[str, tuple[Callable[[EvaluatorStub], Any], dict[str, Any], Any]] = {
    "llm": (_llm, COMPLETION, "4"),
    "remote": (_remote, {"score": 1.0}, 1.0),
    "deploy": (_deploy, {"name": "e"}, {"name": "e"}),
}
REFUSED = {"llm": LLMRequestError, "remote": RemoteEvaluationError, "deploy": ApiError}


@pytest.fixture
def stub() -> Iterator[EvaluatorStub]:
    with running_evaluator_stub() as running:
        yield running


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("status", RETRIED)
def test_each_client_retries_each_retryable_status(
    stub: EvaluatorStub, client: str, status: int
) -> None:
    call, success, expected = CLIENTS[client]
    stub.script.extend([Reply(status=status, body={"detail": "later"}), Reply(body=success)])
    assert call(stub) == expected
    assert len(stub.requests) == 2


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("status", NOT_RETRIED)
def test_each_client_fails_at_once_on_other_statuses(
    stub: EvaluatorStub, client: str, status: int
) -> None:
    call = CLIENTS[client][0]
    stub.script.append(Reply(status=status, body={"detail": "no such thing"}))
    with pytest.raises(REFUSED[client], match=rf"HTTP {status}: no such thing"):
        call(stub)
    assert len(stub.requests) == 1


def _in_seconds(wait: int) -> str:
    return str(wait)


def _as_http_date(wait: int) -> str:
    return formatdate(time.time() + wait + 1, usegmt=True)  # whole seconds: at least ``wait``


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("form", [_in_seconds, _as_http_date], ids=["seconds", "http-date"])
def test_each_client_waits_out_retry_after_in_both_forms(
    stub: EvaluatorStub, client: str, form: Callable[[int], str]
) -> None:
    call, success, expected = CLIENTS[client]
    stub.script.extend([Reply(status=503, headers={"Retry-After": form(1)}), Reply(body=success)])
    started = time.monotonic()
    assert call(stub) == expected
    assert time.monotonic() - started >= 0.95  # the backoff alone would be well under 0.5 s


@pytest.mark.parametrize("client", CLIENTS)
def test_each_client_gives_up_after_its_retries(stub: EvaluatorStub, client: str) -> None:
    call = CLIENTS[client][0]
    stub.script.extend(Reply(status=500, body={"detail": "boom"}) for _ in range(3))
    with pytest.raises(Exception, match=re.escape("after 3 attempts: HTTP 500: boom")):
        call(stub)
    assert len(stub.requests) == 3
