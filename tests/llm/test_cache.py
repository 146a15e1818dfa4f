"""The response cache: keys, hits on rerun, sharing across processes, surviving kill -9."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from reward_kit.llm import ChatClient, ResponseCache, cache_key
from reward_kit.models import Message
from tests._servers.openai_stub import completion, error

ROOT = Path(__file__).resolve().parents[2]
USER = [{"role": "user", "content": "What is 2+2?"}]


def python(code: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> None:
    """Wait for a helper process (closing its pipes) and check that it succeeded."""
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr


async def ask_all(client: ChatClient, prompts: list[str], **params) -> list:
    async with client:
        return [
            await client.chat([{"role": "user", "content": p}], model="m", **params)
            for p in prompts
        ]


def test_cache_key_is_canonical_and_ignores_dict_order():
    assert cache_key({"a": 1, "b": [1, 2]}) == cache_key({"b": [1, 2], "a": 1})
    assert cache_key({"a": 1}) != cache_key({"a": 1.5})
    assert len(cache_key({})) == 64


def test_rerun_is_served_from_the_cache(openai_stub, make_client, tmp_path):
    path = tmp_path / "cache.sqlite"
    first = asyncio.run(ask_all(make_client(cache=path), ["a", "b"], temperature=0.5))
    client = make_client(cache=path)
    second = asyncio.run(ask_all(client, ["a", "b"], temperature=0.5))

    assert len(openai_stub.requests) == 2
    assert [r.cached for r in first] == [False, False]
    assert [r.cached for r in second] == [True, True]
    assert [r.text for r in second] == [r.text for r in first]
    assert second[0].usage == first[0].usage and second[0].attempts == 0
    assert (client.stats.cache_hits, client.stats.cache_misses) == (2, 0)


def test_message_objects_and_dicts_share_cache_entries(openai_stub, make_client, tmp_path):
    cache = ResponseCache(tmp_path / "c.sqlite")

    async def both() -> None:
        async with make_client(cache=cache) as client:
            await client.chat([Message(role="user", content="hi")], model="m")
            await client.chat([{"role": "user", "content": "hi"}], model="m")

    asyncio.run(both())

    assert len(openai_stub.requests) == 1 and (cache.hits, cache.misses) == (1, 1)
    cache.close()


@pytest.mark.parametrize(
    "change",
    [
        {"model": "other"},
        {"temperature": 0.1},
        {"n": 2},
        {"seed": 1},
        {"tools": [{"type": "function", "function": {"name": "f"}}]},
        {"extra_body": {"top_k": 5}},
        {"cache_salt": 1},
    ],
)
def test_anything_that_changes_the_response_changes_the_key(
    openai_stub, make_client, tmp_path, change
):
    cache = ResponseCache(tmp_path / "c.sqlite")

    async def twice() -> None:
        async with make_client(cache=cache) as client:
            await client.chat(USER, model="m")
            await client.chat(USER, **({"model": "m"} | change))

    asyncio.run(twice())

    assert len(openai_stub.requests) == 2 and cache.hits == 0
    cache.close()


def test_api_key_and_base_url_slash_do_not_change_the_key(openai_stub, make_client, tmp_path):
    path = tmp_path / "c.sqlite"
    asyncio.run(ask_all(make_client(cache=path, api_key="key-one"), ["q"]))
    again = make_client(cache=path, api_key="key-two", base_url=openai_stub.url + "/")
    (result,) = asyncio.run(ask_all(again, ["q"]))

    assert result.cached and len(openai_stub.requests) == 1
    assert "key-one" not in (tmp_path / "c.sqlite").read_bytes().decode("latin-1")


def test_failures_and_uncached_calls_are_not_stored(openai_stub, make_client, tmp_path):
    cache = ResponseCache(tmp_path / "c.sqlite")
    openai_stub.enqueue(error(404, "no such model"))

    async def calls() -> None:
        async with make_client(cache=cache) as client:
            with pytest.raises(Exception, match="no such model"):
                await client.chat(USER, model="m")
            await client.chat(USER, model="m", use_cache=False)
            await client.chat(USER, model="m")

    asyncio.run(calls())

    assert len(openai_stub.requests) == 3 and len(cache) == 1
    cache.close()


def test_refresh_misses_but_still_stores(openai_stub, make_client, tmp_path):
    path = tmp_path / "c.sqlite"
    openai_stub.responder = lambda request: "old"
    asyncio.run(ask_all(make_client(cache=path), ["q"]))
    openai_stub.responder = lambda request: "new"
    refreshed = ResponseCache(path, refresh=True)
    (fresh,) = asyncio.run(ask_all(make_client(cache=refreshed), ["q"]))
    refreshed.close()
    (after,) = asyncio.run(ask_all(make_client(cache=path), ["q"]))

    assert (fresh.text, fresh.cached) == ("new", False)
    assert (after.text, after.cached) == ("new", True)


def test_cache_written_by_another_process_is_hit(openai_stub, make_client, tmp_path):
    path = tmp_path / "shared.sqlite"
    writer = python(
        """
        import asyncio, sys
        from reward_kit.llm import ChatClient

        async def main():
            async with ChatClient(base_url=sys.argv[1], api_key_env=None, cache=sys.argv[2]) as c:
                for prompt in ["x", "y", "z"]:
                    await c.chat([{"role": "user", "content": prompt}], model="m", seed=3)

        asyncio.run(main())
        """,
        openai_stub.url,
        str(path),
    )
    finish(writer)

    client = make_client(cache=path, api_key=None, api_key_env=None)
    results = asyncio.run(ask_all(client, ["x", "y", "z"], seed=3))

    assert all(r.cached for r in results) and len(openai_stub.requests) == 3
    assert [r.text for r in results] == ["echo: x", "echo: y", "echo: z"]


WRITER = """
    import json, sys
    from reward_kit.llm import ResponseCache

    cache = ResponseCache(sys.argv[1])
    worker, count = int(sys.argv[2]), int(sys.argv[3])
    for i in range(count):
        for key in (f"own-{worker}-{i}", f"shared-{i % 20}"):
            cache.put(key, json.dumps({"key": key, "pad": "x" * 2000}), "m")
        assert cache.get(f"own-{worker}-{i}") is not None
    cache.close()
"""


def test_concurrent_writer_processes_lose_nothing(tmp_path):
    path = tmp_path / "c.sqlite"
    writers = [python(WRITER, str(path), str(worker), "150") for worker in range(4)]
    for writer in writers:
        finish(writer)

    with ResponseCache(path) as cache:
        assert len(cache) == 4 * 150 + 20
        for key in ["own-0-0", "own-3-149", "shared-19"]:
            stored = cache.get(key)
            assert stored is not None and json.loads(stored)["key"] == key


def test_process_killed_mid_write_leaves_a_readable_cache(tmp_path):
    path = tmp_path / "c.sqlite"
    writer = python(
        """
        import json, sys
        from reward_kit.llm import ResponseCache

        cache = ResponseCache(sys.argv[1])
        i = 0
        while True:
            cache.put(f"k{i}", json.dumps({"i": i, "pad": "y" * 200_000}), "m")
            i += 1
            if i == 5:
                print("writing", flush=True)
        """,
        str(path),
    )
    assert writer.stdout is not None and writer.stdout.readline() == "writing\n"
    os.kill(writer.pid, signal.SIGKILL)
    writer.communicate(timeout=10)

    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    db.close()
    with ResponseCache(path) as cache:
        stored = [cache.get(f"k{i}") for i in range(len(cache))]
        assert len(stored) >= 5
        assert all(s is not None and json.loads(s)["i"] == i for i, s in enumerate(stored))
        cache.put("after", json.dumps(completion("ok")), "m")
        assert cache.get("after") is not None


def test_lookups_in_one_turn_of_the_loop_are_one_query(tmp_path):
    cache = ResponseCache(tmp_path / "c.sqlite")
    for i in range(0, 1200, 2):
        cache.put(f"k{i}", f"body {i}", "m")
    queries: list[str] = []
    cache._db.set_trace_callback(queries.append)

    async def look_up_all():
        return await asyncio.gather(*(cache.aget(f"k{i}") for i in range(1200)))

    found = asyncio.run(look_up_all())
    assert found == [f"body {i}" if i % 2 == 0 else None for i in range(1200)]
    assert len(queries) == 3  # 500 keys per query
    assert (cache.hits, cache.misses) == (600, 600)
    assert cache.get_many(["k0", "k1", "k0"]) == {"k0": "body 0"}
    assert (cache.hits, cache.misses) == (602, 601)
    cache.close()


def test_a_failed_batched_lookup_fails_each_caller(tmp_path):
    cache = ResponseCache(tmp_path / "c.sqlite")
    cache.close()

    async def look_up_two():
        return await asyncio.gather(cache.aget("a"), cache.aget("b"), return_exceptions=True)

    outcomes = asyncio.run(look_up_two())
    assert all(isinstance(outcome, sqlite3.ProgrammingError) for outcome in outcomes)
