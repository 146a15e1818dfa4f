"""Fireworks credentials by reward-kit's documented names (``from reward_kit.auth import ...``).

A thin face over :mod:`reward_kit.deploy`'s credential loader: the key and account come from
``FIREWORKS_API_KEY`` / ``FIREWORKS_ACCOUNT_ID``, else ``~/.fireworks/auth.ini``; the API base
from ``FIREWORKS_API_BASE``. The key is never logged or shown in a ``repr``.
"""

from __future__ import annotations

import os
from pathlib import Path

from reward_kit._credentials import (
    API_KEY_ENV,
    DEFAULT_API_BASE,
    Credentials,
    CredentialsError,
    _auth_ini,
    load_credentials,
)

__all__ = [
    "Credentials",
    "CredentialsError",
    "get_api_base",
    "get_authentication",
    "get_fireworks_account_id",
    "get_fireworks_api_key",
    "load_credentials",
]


FIREWORKS_CONFIG_DIR = Path.home() / ".fireworks"
"""Where Fireworks' tools keep their settings."""
AUTH_INI_FILE = FIREWORKS_CONFIG_DIR / "auth.ini"
"""The credentials file read when the environment has none (read at each call, so a test may
point it elsewhere)."""


def _from_env_or_ini(env: str, key: str) -> str | None:
    # The environment wins without reading the file, so a broken auth.ini cannot get in the
    # way of a key that is set.
    return os.environ.get(env) or _auth_ini(AUTH_INI_FILE).get(key) or None


def get_fireworks_api_key() -> str | None:
    """The API key (``FIREWORKS_API_KEY``, else ``auth.ini``), or None when there is none.

    Raises:
        CredentialsError: the variable is unset and ``auth.ini`` is not a valid INI file.
    """
    return _from_env_or_ini(API_KEY_ENV, "api_key")


def get_fireworks_account_id() -> str | None:
    """The account id (``FIREWORKS_ACCOUNT_ID``, else ``auth.ini``), or None."""
    return _from_env_or_ini("FIREWORKS_ACCOUNT_ID", "account_id")


def get_api_base() -> str:
    """The API's base URL: ``FIREWORKS_API_BASE`` or Fireworks' own."""
    return (os.environ.get("FIREWORKS_API_BASE") or DEFAULT_API_BASE).rstrip("/")


def get_authentication() -> tuple[str, str]:
    """``(account_id, api_key)`` for calls to the evaluator API.

    Raises:
        CredentialsError: the key or the account id is missing (the message says where to
            put it; it is also a ``ValueError`` as reward-kit documents).
    """
    credentials = load_credentials()
    return credentials.account_id, credentials.api_key
