"""Account secrets by reward-kit's documented names (``from reward_kit.platform_api import ...``).

A thin face over :class:`reward_kit.deploy.FireworksClient`'s secret calls (the ones behind
``reward-kit secrets``), for the Fireworks API or a ``reward-kit serve --registry`` server.
Credentials not given come from ``FIREWORKS_API_KEY`` / ``FIREWORKS_API_BASE`` (else
``~/.fireworks/auth.ini``); nothing is read from ``.env`` files.

A secret reaches evaluators as an environment variable named after ``key_name`` in upper case
with ``-`` as ``_`` (``my-eval-key`` is read as ``$MY_EVAL_KEY``); the three functions accept
either spelling. Failures raise :class:`PlatformAPIError` (or ``CredentialsError`` when no key
is configured): a failed call is never reported as ``False`` or ``None``.

Example:
    >>> create_or_update_fireworks_secret("my-account", "judge-api-key", "s3cr3t")  # doctest: +SKIP
    True
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from reward_kit._credentials import CredentialsError, load_credentials
from reward_kit._resource_ids import SECRET_NAME
from reward_kit.deploy._client import ApiError, FireworksClient

__all__ = [
    "CredentialsError",
    "PlatformAPIError",
    "create_or_update_fireworks_secret",
    "delete_fireworks_secret",
    "get_fireworks_secret",
]


class PlatformAPIError(ApiError):
    """The platform API refused a request or could not be reached.

    An :class:`reward_kit.deploy.ApiError`, so ``except ApiError`` catches it too.

    Attributes:
        status_code: The HTTP status, or None when no answer came.
        response_text: What the server said (its error message), when it answered.
    """

    def __init__(
        self, message: str, status_code: int | None = None, response_text: str | None = None
    ) -> None:
        super().__init__(message, status_code)
        self.response_text = response_text


def _variable(key_name: str) -> str:
    """The environment variable a secret is read as: ``my-eval-key`` -> ``MY_EVAL_KEY``."""
    name = key_name.strip().upper().replace("-", "_")
    if not SECRET_NAME.fullmatch(name):
        raise ValueError(
            f"secret name {key_name!r} cannot be an environment variable name ({name!r}): use "
            "letters, digits, '-' or '_', not starting with a digit"
        )
    return name


@contextmanager
def _client(
    account_id: str | None, api_key: str | None, api_base: str | None
) -> Iterator[FireworksClient]:
    credentials = load_credentials(api_key=api_key, account_id=account_id, api_base=api_base)
    with FireworksClient(credentials) as client:
        try:
            yield client
        except PlatformAPIError:
            raise
        except ApiError as exc:
            message = str(exc)
            detail = message.split(": ", 2)[-1] if exc.status_code is not None else None
            raise PlatformAPIError(message, exc.status_code, detail) from exc


def create_or_update_fireworks_secret(
    account_id: str,
    key_name: str,
    secret_value: str,
    api_key: str | None = None,
    api_base: str | None = None,
) -> bool:
    """Create the secret ``key_name`` of the account, or replace its value.

    Args:
        account_id: The account (empty: the configured one).
        key_name: The secret's name; evaluators read it as ``KEY_NAME`` (upper case, ``_``).
        secret_value: The value; it is never logged or shown.
        api_key: API key (default: ``FIREWORKS_API_KEY`` or ``auth.ini``).
        api_base: API base URL (default: ``FIREWORKS_API_BASE`` or Fireworks').

    Returns:
        True (failures raise).

    Raises:
        ValueError: the name cannot be an environment variable, or the value is empty.
        PlatformAPIError: the API refused the request or could not be reached.
        CredentialsError: no API key or account is configured.
    """
    name = _variable(key_name)
    if not secret_value:
        raise ValueError(f"secret {name}: the value is empty")
    with _client(account_id or None, api_key, api_base) as client:
        client.create_secret(name, secret_value)
    return True


def get_fireworks_secret(
    account_id: str,
    key_name: str,
    api_key: str | None = None,
    api_base: str | None = None,
) -> dict[str, Any] | None:
    """The secret's description (``name``, ``keyName``; never its value), or None if absent.

    Raises:
        PlatformAPIError: the API refused the request (other than "not found") or could not
            be reached: an error is never taken for a missing secret.
        CredentialsError: no API key or account is configured.
    """
    name = _variable(key_name)
    with _client(account_id or None, api_key, api_base) as client:
        for secret in client.list_secrets():
            if name in (secret.get("keyName"), str(secret.get("name", "")).rsplit("/", 1)[-1]):
                return dict(secret)
    return None


def delete_fireworks_secret(
    account_id: str,
    key_name: str,
    api_key: str | None = None,
    api_base: str | None = None,
) -> bool:
    """Delete the secret; True once it is gone (also when it did not exist).

    Raises:
        PlatformAPIError: the API refused the request (other than "not found") or could not
            be reached.
        CredentialsError: no API key or account is configured.
    """
    name = _variable(key_name)
    with _client(account_id or None, api_key, api_base) as client:
        try:
            client.delete_secret(name)
        except ApiError as exc:
            if exc.status_code != 404:
                raise
    return True
