"""SyncChatClient: blocking calls from plain code, from threads and from inside an event loop."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from reward_kit.llm import LLMRequestError, SyncChatClient, shared_client
from tests._servers.openai_stub import error

USER = [{"role": "user", "content": "ping"}]


def test_blocking_chat_returns_the_result(openai_stub, make_client):
    with SyncChatClient(make_client()) as client:
        result = client.chat(USER, model="m", temperature=0.0)

    assert result.text == "echo: ping"
    assert openai_stub.requests[0].json["temperature"] == 0.0


def test_calls_from_many_threads_share_one_limit(openai_stub, make_client):
    openai_stub.latency = 0.02
    with SyncChatClient(make_client(max_concurrent_requests=4)) as client:
        with ThreadPoolExecutor(16) as pool:
            prompts = [f"q{i}" for i in range(48)]
            results = list(
                pool.map(
                    lambda p: client.chat([{"role": "user", "content": p}], model="m"), prompts
                )
            )
        assert client.stats.requests == 48

    assert [r.text for r in results] == [f"echo: q{i}" for i in range(48)]
    assert openai_stub.max_in_flight == 4


def test_works_inside_a_running_event_loop(openai_stub, make_client):
    client = SyncChatClient(make_client())

    async def inside() -> str:
        return client.chat(USER, model="m").text

    try:
        assert asyncio.run(inside()) == "echo: ping"
    finally:
        client.close()


def test_errors_propagate_and_closed_client_refuses(openai_stub, make_client):
    openai_stub.enqueue(error(404, "unknown model"))
    client = SyncChatClient(make_client())
    with pytest.raises(LLMRequestError, match="unknown model"):
        client.chat(USER, model="m")
    client.close()
    client.close()

    with pytest.raises(RuntimeError, match="closed"):
        client.chat(USER, model="m")


def test_achat_serves_many_short_lived_event_loops(openai_stub, make_client):
    with SyncChatClient(make_client()) as client:
        texts = [asyncio.run(client.achat(USER, model="m")).text for _ in range(3)]
        assert client.stats.requests == 3

    assert texts == ["echo: ping"] * 3


def test_shared_client_is_one_per_set_of_arguments(openai_stub):
    first = shared_client(base_url=openai_stub.url, api_key_env=None, max_retries=1)
    again = shared_client(base_url=openai_stub.url, api_key_env=None, max_retries=1)
    other = shared_client(base_url=openai_stub.url, api_key_env=None, max_retries=2)

    assert first is again and first is not other
    assert first.chat(USER, model="m").text == "echo: ping"
    first.close()
    other.close()
    renewed = shared_client(base_url=openai_stub.url, api_key_env=None, max_retries=1)
    assert renewed is not first and renewed.chat(USER, model="m").text == "echo: ping"
    renewed.close()
