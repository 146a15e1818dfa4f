"""The simulated user's view of a conversation, and provider prefixes."""

from __future__ import annotations

import pytest

from reward_kit.agent._providers import resolve_endpoint
from reward_kit.agent.user import STOP, sim_user_view
from reward_kit.errors import RewardKitError


def test_roles_are_flipped_and_tool_traffic_removed():
    call = {"id": "1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    history = [
        {"role": "system", "content": "agent rules"},
        {"role": "user", "content": "book"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "1", "content": "[]"},
        {"role": "assistant", "content": "done"},
    ]
    view = sim_user_view("You are Bob.", history)
    assert view[0]["role"] == "system" and "You are Bob." in view[0]["content"]
    assert STOP in view[0]["content"]
    assert view[1:] == [
        {"role": "assistant", "content": "book"},
        {"role": "user", "content": "done"},
    ]


def test_providers(monkeypatch):
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    assert resolve_endpoint("openai/gpt-4o").model == "gpt-4o"
    assert resolve_endpoint("openai/gpt-4o").key_env == "OPENAI_API_KEY"
    fireworks = resolve_endpoint("fireworks/llama")
    assert fireworks.model == "accounts/fireworks/models/llama"
    assert resolve_endpoint("accounts/fireworks/models/x").key_env == "FIREWORKS_API_KEY"
    assert resolve_endpoint("anthropic/claude-3-opus-20240229").base_url.startswith(
        "https://api.anthropic"
    )
    local = resolve_endpoint("openai/x", "http://127.0.0.1:9/v1")
    assert local.base_url == "http://127.0.0.1:9/v1" and local.key_env is None
    with pytest.raises(RewardKitError, match="unknown provider"):
        resolve_endpoint("mystery-model")
