"""Fixtures of the model-client tests: the OpenAI stand-in server and clients pointed at it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from reward_kit.llm import ChatClient
from tests._servers.openai_stub import OpenAIStub, openai_stub

__all__ = ["openai_stub"]

API_KEY = "sk-test-0123456789-SECRET"


@pytest.fixture
def make_client(openai_stub: OpenAIStub) -> Callable[..., ChatClient]:
    """Build a client for the stub with fast backoff; keyword arguments override."""

    def make(**overrides: Any) -> ChatClient:
        options: dict[str, Any] = {
            "base_url": openai_stub.url,
            "api_key": API_KEY,
            "backoff_base": 0.01,
            "backoff_max": 0.05,
            "timeout": 5.0,
            "max_retries": 3,
        }
        return ChatClient(**(options | overrides))

    return make
