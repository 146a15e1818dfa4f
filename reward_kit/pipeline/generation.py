"""Generating responses through any OpenAI-compatible chat API, with the shared ``llm`` client.

With ``generation.shards=N`` the requests are sent by N Ray actors, each with its share of
``max_concurrent_requests``; the cache stays here in the driver (``_shards``).

Each variant of a sample is its own request, with the variant index mixed into the cache key,
so ``n`` variants are ``n`` independent samples even from servers without ``n`` support, and a
rerun finds every one of them in the cache. A request that finally fails becomes a generation
error on that sample; errors that no retry can fix (bad key, unknown model) stop the run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reward_kit.errors import RewardKitError
from reward_kit.llm import (
    ChatClient,
    LLMError,
    LLMRequestError,
    MissingAPIKeyError,
    ResponseCache,
    Usage,
)
from reward_kit.pipeline.config import GenerationConfig

__all__ = ["Generated", "GenerationAborted", "Generator", "default_cache_path"]

_FATAL_STATUS = frozenset({401, 403, 404})
"""Statuses that will be the same for every request: wrong key, no access, unknown model."""


class GenerationAborted(RewardKitError):
    """Generation cannot succeed for any sample (no key, bad model, unreachable server)."""


@dataclass
class Generated:
    """The outcome of one generation: the assistant message, or an error, and its details."""

    message: dict[str, Any] | None
    info: dict[str, Any]


def default_cache_path() -> Path:
    """Where responses are cached unless ``generation.cache.path`` says otherwise."""
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "reward-kit" / "generations.sqlite"


class Generator:
    """Sends a run's generation requests and describes each outcome for its result row.

    Args:
        config: The ``generation`` section of the run config (a relative cache path is
            relative to the working directory).
        ray_address: The Ray that ``config.shards > 1`` runs its actors on (``null``:
            ``RAY_ADDRESS``, else a new local Ray; a Ray already initialized is used as is).

    Raises:
        GenerationAborted: no API key is available.
    """

    def __init__(self, config: GenerationConfig, *, ray_address: str | None = None) -> None:
        self.config = config
        cache: ResponseCache | None = None
        if config.cache.enabled:
            path = Path(config.cache.path) if config.cache.path else default_cache_path()
            cache = ResponseCache(path.expanduser(), refresh=config.cache.refresh)
        settings: dict[str, Any] = {
            "base_url": config.api_base,
            "api_key_env": config.api_key_env,
            "max_concurrent_requests": config.api_params.max_concurrent_requests,
            "max_retries": config.api_params.max_retries,
            "timeout": config.api_params.timeout,
            "backoff_base": config.api_params.backoff_base,
            "cache": cache,
        }
        try:
            if config.shards > 1:
                from reward_kit.pipeline._shards import ShardedChatClient

                self.client: ChatClient = ShardedChatClient(
                    shards=config.shards, ray_address=ray_address, **settings
                )
            else:
                self.client = ChatClient(**settings)
        except MissingAPIKeyError:
            if cache is not None:
                cache.close()
            raise GenerationAborted(
                f"generation needs an API key: set the {config.api_key_env} environment "
                "variable (or generation.api_key_env=null for a server that needs no key), or "
                "set generation.enabled=false to score the responses already in the dataset"
            ) from None
        self._cache = cache
        self.params = {
            name: getattr(config, name)
            for name in ("temperature", "top_p", "max_tokens", "stop", "seed")
            if getattr(config, name) is not None
        }

    async def generate(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None, variant: int
    ) -> Generated:
        """Generate the assistant turn for one variant of a prompt.

        Raises:
            GenerationAborted: the server refused in a way that will repeat for every sample.
        """
        config = self.config
        info: dict[str, Any] = {"model": config.model_name, "params": self.params}
        try:
            result = await self.client.chat(
                messages,
                model=config.model_name or "",
                temperature=config.temperature,
                top_p=config.top_p,
                max_tokens=config.max_tokens,
                stop=list(config.stop) if config.stop is not None else None,
                seed=config.seed,
                tools=tools,
                tool_choice=config.tool_choice if tools else None,
                extra_body=dict(config.extra_body) or None,
                cache_salt=variant,
            )
        except LLMRequestError as exc:
            if exc.status_code in _FATAL_STATUS:
                raise GenerationAborted(str(exc)) from None
            return Generated(None, {**info, "error": str(exc)})
        except LLMError as exc:
            return Generated(None, {**info, "error": str(exc)})
        info |= {
            "usage": result.usage.model_dump(),
            "latency_s": round(result.latency_s, 4),
            "cached": result.cached,
            "finish_reason": result.finish_reasons[0],
            "error": None,
        }
        return Generated(result.message.to_openai(), info)

    @property
    def usage(self) -> Usage:
        """Tokens of the responses received from the server so far (cache hits excluded)."""
        return self.client.stats.usage

    async def aclose(self) -> None:
        """Close connections and the cache."""
        await self.client.aclose()
        if self._cache is not None:
            self._cache.close()
