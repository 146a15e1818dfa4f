"""Where the Fireworks (or self-hosted registry) credentials come from.

``FIREWORKS_API_KEY`` and ``FIREWORKS_ACCOUNT_ID``, else ``~/.fireworks/auth.ini`` (the file
``firectl`` writes; with or without a section header); the base URL from ``FIREWORKS_API_BASE``.
The key is never shown: not in ``repr``, not in errors, not in logs.
"""

from __future__ import annotations

import configparser
import os
from dataclasses import dataclass
from pathlib import Path

from reward_kit.errors import RewardKitError

API_KEY_ENV = "FIREWORKS_API_KEY"
"""The environment variable holding the Fireworks API key, wherever a key is read."""
DEFAULT_API_BASE = "https://api.fireworks.ai"
"""The Fireworks REST API (evaluators, secrets, RFT jobs)."""
DEFAULT_INFERENCE_URL = DEFAULT_API_BASE + "/inference/v1"
"""The Fireworks OpenAI-compatible inference API (chat completions)."""


class CredentialsError(RewardKitError, ValueError):
    """No API key or account id could be found (a ``ValueError``, as reward-kit documents)."""


@dataclass(frozen=True)
class Credentials:
    """An API key, the account it belongs to, and the API's base URL."""

    api_key: str
    account_id: str
    api_base: str = DEFAULT_API_BASE

    def __repr__(self) -> str:
        return f"Credentials(account_id={self.account_id!r}, api_base={self.api_base!r})"

    __str__ = __repr__


def _auth_ini(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    text = path.read_text(encoding="utf-8", errors="replace")
    if not text.lstrip().startswith("["):
        text = "[fireworks]\n" + text
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        raise CredentialsError(f"{path} is not a valid auth.ini ({exc.message})") from None
    values: dict[str, str] = {}
    for section in parser.sections():
        for key in ("api_key", "account_id"):
            if key in parser[section] and key not in values:
                values[key] = parser[section][key].strip()
    return values


def load_credentials(
    *,
    api_key: str | None = None,
    account_id: str | None = None,
    api_base: str | None = None,
    auth_file: str | Path | None = None,
) -> Credentials:
    """Credentials from the arguments, else the environment, else ``~/.fireworks/auth.ini``.

    Raises:
        CredentialsError: the key or the account id is missing, with where to put it.
    """
    ini = _auth_ini(Path(auth_file) if auth_file else Path.home() / ".fireworks" / "auth.ini")
    key = api_key or os.environ.get(API_KEY_ENV) or ini.get("api_key")
    account = account_id or os.environ.get("FIREWORKS_ACCOUNT_ID") or ini.get("account_id")
    base = (api_base or os.environ.get("FIREWORKS_API_BASE") or DEFAULT_API_BASE).rstrip("/")
    if not key:
        raise CredentialsError(
            "no API key: set FIREWORKS_API_KEY (for a 'reward-kit serve --registry' server: "
            "its API key) or put api_key in ~/.fireworks/auth.ini"
        )
    if not account:
        raise CredentialsError(
            "no account id: set FIREWORKS_ACCOUNT_ID or put account_id in ~/.fireworks/auth.ini"
        )
    if not base.startswith(("http://", "https://")):
        raise CredentialsError(f"API base {base!r} must start with http:// or https://")
    return Credentials(api_key=key, account_id=account, api_base=base)
