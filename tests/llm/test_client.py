"""ChatClient against the OpenAI stand-in over real HTTP: protocol, retries, errors, limits."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import replace
from email.utils import formatdate

import pytest

from reward_kit.errors import InvalidMessageError
from reward_kit.llm import (
    ChatClient,
    LLMRequestError,
    LLMResponseError,
    LLMUnavailableError,
    MissingAPIKeyError,
)
from reward_kit.models import Message
from tests._servers.openai_stub import (
    Reply,
    completion,
    dropped,
    error,
    hanging,
    malformed,
    rate_limited,
    server_error,
)
from tests.llm.conftest import API_KEY

USER = [{"role": "user", "content": "What is 2+2?"}]


def run(coroutine):
    return asyncio.run(coroutine)


async def ask(client: ChatClient, messages=USER, **params):
    async with client:
        return await client.chat(messages, model=params.pop("model", "m"), **params)


def test_chat_returns_typed_result_and_sends_openai_request(openai_stub, make_client):
    result = run(ask(make_client(), [Message(role="system", content="Be brief."), *USER]))

    assert result.text == "echo: What is 2+2?"
    assert result.choices[0].role == "assistant"
    assert result.finish_reasons == ["stop"]
    assert result.usage.prompt_tokens == 5 and result.usage.total_tokens == 9
    assert (result.model, result.cached, result.attempts) == ("stub-model", False, 1)
    assert result.latency_s > 0
    (request,) = openai_stub.requests
    assert (request.method, request.path) == ("POST", "/v1/chat/completions")
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.json == {
        "model": "m",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "What is 2+2?"},
        ],
    }


def test_sampling_parameters_tools_and_extra_body_are_sent(openai_stub, make_client):
    tools = [{"type": "function", "function": {"name": "add", "parameters": {"type": "object"}}}]
    run(
        ask(
            make_client(),
            temperature=0.7,
            top_p=0.9,
            max_tokens=64,
            stop=["\n\n"],
            seed=7,
            n=2,
            tools=tools,
            tool_choice="auto",
            extra_body={"top_k": 40, "response_format": {"type": "text"}},
        )
    )

    body = openai_stub.requests[0].json
    assert body["temperature"] == 0.7 and body["top_p"] == 0.9 and body["max_tokens"] == 64
    assert body["stop"] == ["\n\n"] and body["seed"] == 7 and body["n"] == 2
    assert body["tools"] == tools and body["tool_choice"] == "auto"
    assert body["top_k"] == 40 and body["response_format"] == {"type": "text"}


def test_n_choices_and_tool_calls_come_back_as_messages(openai_stub, make_client):
    call = {"id": "call_1", "type": "function", "function": {"name": "add", "arguments": "{}"}}
    openai_stub.responder = lambda request: completion(None, None, tool_calls=[call])

    result = run(ask(make_client(), n=2))

    assert len(result.choices) == 2
    assert result.finish_reasons == ["tool_calls", "tool_calls"]
    assert result.message.content is None and result.text == ""
    assert result.message.tool_calls is not None
    assert result.message.tool_calls[0].function.name == "add"
    assert result.message.tool_calls[0].id == "call_1"


def test_transient_errors_are_retried_until_success(openai_stub, make_client):
    openai_stub.enqueue(server_error(500), server_error(503), dropped())
    client = make_client()

    result = run(ask(client))

    assert result.attempts == 4 and result.text.startswith("echo:")
    assert len(openai_stub.requests) == 4
    assert (client.stats.requests, client.stats.retries) == (4, 3)


def test_retry_after_seconds_is_honoured(openai_stub, make_client):
    openai_stub.enqueue(rate_limited(retry_after="0.6"))
    client = make_client()

    result = run(ask(client))

    first, second = openai_stub.requests
    assert second.received_at - first.received_at >= 0.6
    assert result.attempts == 2 and client.stats.throttled == 1


def test_retry_after_http_date_is_honoured(openai_stub, make_client):
    # HTTP dates have whole seconds: "now + 2 s", written when the request arrives, is 1-2 s away.
    def first_throttled(request):
        if len(openai_stub.requests) == 1:
            return rate_limited(retry_after=formatdate(time.time() + 2, usegmt=True))
        return None

    openai_stub.responder = first_throttled

    run(ask(make_client()))

    first, second = openai_stub.requests
    assert second.received_at - first.received_at >= 0.95


def test_retry_after_pauses_every_request_not_just_the_throttled_one(openai_stub, make_client):
    openai_stub.latency = 0.1
    openai_stub.enqueue(replace(rate_limited(retry_after="0.5"), delay=0.0))
    client = make_client(max_concurrent_requests=4)

    async def many() -> None:
        async with client:
            await asyncio.gather(*(client.chat(USER, model="m") for _ in range(12)))

    run(many())

    # The first four requests went out together; everything after them (the retry and the
    # other eight) had to wait for the pause, although three slots were free after 0.1 s.
    start = openai_stub.requests[0].received_at
    later = [r.received_at - start for r in openai_stub.requests[4:]]
    assert min(later) >= 0.45
    assert len(openai_stub.requests) == 13


def test_retries_are_bounded_and_the_error_says_why(openai_stub, make_client):
    openai_stub.responder = lambda request: server_error(503)
    client = make_client(max_retries=2)

    with pytest.raises(LLMUnavailableError) as caught:
        run(ask(client))

    assert caught.value.kind == "status" and caught.value.status_code == 503
    assert caught.value.attempts == 3 and len(openai_stub.requests) == 3
    assert "HTTP 503" in str(caught.value) and "internal server error" in str(caught.value)


@pytest.mark.parametrize(
    ("status", "server_says"),
    [(404, "model 'nope' not found"), (400, "max_tokens too large"), (401, "invalid api key")],
)
def test_client_errors_fail_fast_with_the_server_message(
    openai_stub, make_client, status, server_says
):
    openai_stub.responder = lambda request: error(status, server_says)

    with pytest.raises(LLMRequestError) as caught:
        run(ask(make_client(max_retries=5)))

    assert caught.value.status_code == status
    assert caught.value.server_message == server_says
    assert server_says in str(caught.value) and f"HTTP {status}" in str(caught.value)
    assert len(openai_stub.requests) == 1


def test_api_key_never_appears_in_errors_logs_or_reprs(openai_stub, make_client, caplog):
    caplog.set_level(logging.DEBUG, logger="reward_kit.llm")
    openai_stub.enqueue(error(500, f"backend saw key {API_KEY}"))
    openai_stub.responder = lambda request: error(401, f"key {API_KEY} is revoked")
    client = make_client()

    with pytest.raises(LLMRequestError) as caught:
        run(ask(client))

    assert "retrying" in caplog.text and "backend saw key ***" in caplog.text
    texts = [str(caught.value), caught.value.server_message, caplog.text]
    texts += [repr(client), repr(client.stats)]
    assert all(API_KEY not in text for text in texts)
    assert "key *** is revoked" in str(caught.value)


def test_model_name_falls_back_to_the_requested_one(openai_stub, make_client):
    openai_stub.responder = lambda request: {"choices": [{"message": {"content": "hi"}}]}

    result = run(ask(make_client(), model="my-model"))

    assert (result.model, result.text, result.usage.total_tokens) == ("my-model", "hi", 0)


def test_bad_settings_are_rejected_up_front():
    with pytest.raises(ValueError, match="max_concurrent_requests"):
        ChatClient(api_key_env=None, max_concurrent_requests=0)
    with pytest.raises(ValueError, match="timeout"):
        ChatClient(api_key_env=None, timeout=0)


def test_missing_api_key_names_the_variable(monkeypatch):
    monkeypatch.delenv("MY_LLM_KEY", raising=False)
    with pytest.raises(MissingAPIKeyError, match="MY_LLM_KEY"):
        ChatClient(api_key_env="MY_LLM_KEY")
    monkeypatch.setenv("MY_LLM_KEY", "sk-from-env")
    assert "sk-from-env" not in repr(ChatClient(api_key_env="MY_LLM_KEY"))


def test_no_key_sends_no_authorization_header(openai_stub, make_client):
    run(ask(make_client(api_key=None, api_key_env=None)))

    assert "authorization" not in openai_stub.requests[0].headers


def test_truncated_body_is_retried(openai_stub, make_client):
    openai_stub.enqueue(malformed())

    result = run(ask(make_client()))

    assert result.attempts == 2


def test_persistently_unparsable_body_gives_up_with_a_clear_error(openai_stub, make_client):
    openai_stub.responder = lambda request: Reply(200, "<html>Bad gateway</html>")

    with pytest.raises(LLMUnavailableError) as caught:
        run(ask(make_client(max_retries=1)))

    assert caught.value.kind == "malformed"
    assert "not JSON" in str(caught.value) and "<html>Bad gateway" in str(caught.value)


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        ({"object": "chat.completion"}, "no 'choices' list"),
        ({"choices": []}, "no 'choices' list"),
        ({"choices": [{"index": 0, "text": "legacy"}]}, "choices[0] has no 'message'"),
        ({"choices": [{"message": {"role": "assistant", "content": 3}}]}, "choices[0].message"),
        ({"choices": [{"message": {"content": "x"}}], "usage": {"total_tokens": "many"}}, "usage"),
        ([1, 2], "not a JSON object"),
    ],
)
def test_wrongly_shaped_body_raises_response_error_at_once(
    openai_stub, make_client, body, complaint
):
    openai_stub.responder = lambda request: Reply(200, json.dumps(body))

    with pytest.raises(LLMResponseError, match="model 'm'") as caught:
        run(ask(make_client()))

    assert complaint in str(caught.value)
    assert len(openai_stub.requests) == 1


def test_hanging_request_times_out_and_is_retried(openai_stub, make_client):
    openai_stub.enqueue(hanging())
    started = time.perf_counter()

    result = run(ask(make_client(timeout=0.3)))

    assert result.attempts == 2
    assert time.perf_counter() - started >= 0.3


def test_timeouts_outlasting_the_retries_raise_unavailable(openai_stub, make_client):
    openai_stub.responder = lambda request: hanging()

    with pytest.raises(LLMUnavailableError, match=r"no response within 0\.2 s") as caught:
        run(ask(make_client(timeout=0.2, max_retries=1)))

    assert caught.value.kind == "timeout" and caught.value.attempts == 2


def test_unreachable_server_is_a_connection_failure(make_client):
    client = make_client(base_url="http://127.0.0.1:9/v1", max_retries=1)

    with pytest.raises(LLMUnavailableError) as caught:
        run(ask(client))

    assert caught.value.kind == "connection" and "connection error" in str(caught.value)


@pytest.mark.parametrize("limit", [8, 20])
def test_concurrency_reaches_the_limit_over_kept_alive_connections(openai_stub, make_client, limit):
    openai_stub.latency = 0.05
    client = make_client(max_concurrent_requests=limit)

    async def many() -> None:
        async with client:
            await asyncio.gather(*(client.chat(USER, model="m") for _ in range(limit * 8)))

    run(many())

    assert openai_stub.max_in_flight == limit
    assert client.limiter.max_in_flight == limit
    assert openai_stub.connections == limit
    assert client.stats.usage.total_tokens == limit * 8 * 9


def test_concurrency_adapts_to_a_server_that_throttles(openai_stub, make_client):
    openai_stub.latency = 0.02
    openai_stub.capacity = 6
    client = make_client(max_concurrent_requests=48, max_retries=20)

    async def batch(count: int) -> None:
        await asyncio.gather(*(client.chat(USER, model="m") for _ in range(count)))

    async def scenario() -> tuple[int, int, int]:
        async with client:
            await batch(300)
            shrunk, switch = client.limiter.limit, len(openai_stub.in_flight_timeline)
            openai_stub.capacity = None
            await batch(300)
            return shrunk, client.limiter.limit, switch

    shrunk, regrown, switch = run(scenario())

    assert shrunk <= 12 and client.limiter.decreases >= 2
    assert regrown > shrunk
    settled = openai_stub.in_flight_timeline[switch // 2 : switch]
    assert max(count for _, count in settled) <= 12
    throttled = client.stats.throttled
    assert throttled < 0.25 * 600, f"{throttled} requests throttled: the client kept hammering"


def test_invalid_message_dict_names_the_message(make_client):
    with pytest.raises(InvalidMessageError, match=r"messages\[1\]"):
        run(ask(make_client(), [*USER, {"role": "robot", "content": "hi"}]))
    with pytest.raises(InvalidMessageError, match="empty"):
        run(ask(make_client(), []))


def test_client_refuses_a_second_event_loop_while_the_first_lives(openai_stub, make_client):
    client = make_client()
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(client.chat(USER, model="m"))
        with pytest.raises(RuntimeError, match="another event loop"):
            run(client.chat(USER, model="m"))
        loop.run_until_complete(client.aclose())
    finally:
        loop.close()
