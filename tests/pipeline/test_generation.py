"""The generation step: one request per variant, cached apart, failures described or fatal."""

from __future__ import annotations

import asyncio

import pytest

from reward_kit.pipeline.config import GenerationCacheConfig, GenerationConfig
from reward_kit.pipeline.generation import GenerationAborted, Generator, default_cache_path
from tests._servers.openai_stub import error

PROMPT = [{"role": "user", "content": "What is 1 + 1?"}]


def _generator(stub, tmp_path, **fields):
    config = GenerationConfig(
        model_name="stub-model", api_base=stub.url, api_key_env=None, seed=7, **fields
    )
    if config.cache.enabled:
        config.cache.path = str(tmp_path / "cache.sqlite")
    config.api_params.max_retries = 0
    return Generator(config)


def _generate(generator, variant=0, tools=None):
    async def run():
        try:
            return await generator.generate(PROMPT, tools, variant)
        finally:
            await generator.aclose()

    return asyncio.run(run())


def test_each_variant_is_its_own_cached_request(openai_stub, tmp_path):
    openai_stub.responder = lambda request: "2"
    first = _generate(_generator(openai_stub, tmp_path), variant=0)
    second = _generate(_generator(openai_stub, tmp_path), variant=1)
    again = _generate(_generator(openai_stub, tmp_path), variant=1)

    assert first.message == {"role": "assistant", "content": "2"}
    assert [first.info["cached"], second.info["cached"], again.info["cached"]] == [
        False,
        False,
        True,
    ]
    assert len(openai_stub.chat_requests) == 2
    assert first.info["params"] == {"temperature": 0.0, "max_tokens": 1024, "seed": 7}
    assert openai_stub.chat_requests[0].json["seed"] == 7


def test_a_refused_request_is_an_error_on_the_sample(openai_stub, tmp_path):
    openai_stub.responder = lambda request: error(400, "prompt is too long")
    generated = _generate(_generator(openai_stub, tmp_path))
    assert generated.message is None
    assert "prompt is too long" in generated.info["error"]


@pytest.mark.parametrize("status", [401, 403, 404])
def test_refusals_that_will_repeat_stop_the_run(openai_stub, tmp_path, status):
    openai_stub.responder = lambda request: error(status, "no such model or key")
    with pytest.raises(GenerationAborted, match="no such model or key"):
        _generate(_generator(openai_stub, tmp_path))


def test_no_cache_when_disabled(openai_stub, tmp_path):
    openai_stub.responder = lambda request: "2"
    generators = [_generator(openai_stub, tmp_path, cache=GenerationCacheConfig(enabled=False))]
    generators.append(_generator(openai_stub, tmp_path, cache=GenerationCacheConfig(enabled=False)))

    outcomes = [_generate(generator) for generator in generators]

    assert generators[0].client.cache is None
    assert [outcome.info["cached"] for outcome in outcomes] == [False, False]
    assert len(openai_stub.chat_requests) == 2


def test_default_cache_path_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_path() == tmp_path / "reward-kit" / "generations.sqlite"
