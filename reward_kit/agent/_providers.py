"""Where a ``provider/model`` name is served, and with which key.

``openai/`` uses ``OPENAI_API_KEY`` (and ``OPENAI_BASE_URL``); ``fireworks/`` and
``accounts/fireworks/...`` use ``FIREWORKS_API_KEY`` at Fireworks; ``anthropic/`` uses
``ANTHROPIC_API_KEY`` at Anthropic's OpenAI-compatible endpoint. ``--api-base`` overrides the
URL of all of them (the key is then sent only when its variable is set).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from reward_kit._credentials import API_KEY_ENV, DEFAULT_INFERENCE_URL
from reward_kit.errors import RewardKitError

__all__ = ["Endpoint", "resolve_endpoint"]

_PROVIDERS = {
    "openai": ("https://api.openai.com/v1", "OPENAI_API_KEY"),
    "fireworks": (DEFAULT_INFERENCE_URL, API_KEY_ENV),
    "anthropic": ("https://api.anthropic.com/v1", "ANTHROPIC_API_KEY"),
}


@dataclass(frozen=True)
class Endpoint:
    """A model as one server knows it."""

    base_url: str
    key_env: str | None
    model: str


def resolve_endpoint(spec: str, api_base: str | None = None) -> Endpoint:
    """The server, key variable and model name of ``spec`` (``provider/model``).

    Raises:
        RewardKitError: an unknown provider and no ``api_base``.
    """
    provider, _, name = spec.partition("/")
    if spec.startswith("accounts/fireworks/"):
        provider, name = "fireworks", spec
    elif provider == "fireworks" and not name.startswith("accounts/"):
        name = f"accounts/fireworks/models/{name}"
    if provider not in _PROVIDERS or not name:
        if api_base is None:
            known = ", ".join(f"{p}/" for p in _PROVIDERS)
            raise RewardKitError(f"model {spec!r}: unknown provider (use {known} or --api-base)")
        return Endpoint(api_base.rstrip("/"), None, spec)
    base_url, key_env = _PROVIDERS[provider]
    if provider == "openai":
        base_url = os.environ.get("OPENAI_BASE_URL") or base_url
    if api_base is not None:
        return Endpoint(api_base.rstrip("/"), key_env if os.environ.get(key_env) else None, name)
    return Endpoint(base_url.rstrip("/"), key_env, name)
