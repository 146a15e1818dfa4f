"""The one OpenAI-compatible chat client of reward-kit.

Used by the LLM-judge rewards and by the evaluation pipeline's generation step. It speaks the
chat-completions protocol over plain ``httpx`` to any base URL (Fireworks by default), bounds
and adapts its concurrency to the server's rate limits, retries transient failures, and caches
successful responses on disk. See ``docs/llm_client.md``.
"""

from reward_kit.llm._cache import ResponseCache, cache_key
from reward_kit.llm._client import DEFAULT_API_KEY_ENV, DEFAULT_BASE_URL, ChatClient, ClientStats
from reward_kit.llm._errors import (
    LLMError,
    LLMRequestError,
    LLMResponseError,
    LLMUnavailableError,
    MissingAPIKeyError,
)
from reward_kit.llm._result import ChatResult, Usage
from reward_kit.llm._sync import SyncChatClient, shared_client

__all__ = [
    "DEFAULT_API_KEY_ENV",
    "DEFAULT_BASE_URL",
    "ChatClient",
    "ChatResult",
    "ClientStats",
    "LLMError",
    "LLMRequestError",
    "LLMResponseError",
    "LLMUnavailableError",
    "MissingAPIKeyError",
    "ResponseCache",
    "SyncChatClient",
    "Usage",
    "cache_key",
    "shared_client",
]
