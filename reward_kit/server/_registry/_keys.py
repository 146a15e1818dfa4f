"""Per-account API keys of a registry, kept as SHA-256 hashes in its store.

``reward-kit serve keys create --account A`` makes a key that acts on account ``A`` only; the
server's own key (``--api-key-env``) stays the admin key, valid for every account. Keys are 256
random bits, so a plain SHA-256 is enough to make a stolen database useless for calling the
server (a slow password hash protects guessable secrets, which these are not).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Protocol

from reward_kit.server._http import AdminKey, Caller

_PREFIX = "rk_"


class KeyTable(Protocol):
    """The part of the registry's store that holds account keys."""

    def has_api_keys(self) -> bool: ...

    def api_key_account(self, key_hash: str) -> str | None: ...


def key_hash(key: str | bytes) -> str:
    """The stored form of ``key``."""
    return hashlib.sha256(key.encode() if isinstance(key, str) else key).hexdigest()


def new_key() -> tuple[str, str]:
    """A fresh ``(key id, key)``; the id names the key in listings, the key is shown once."""
    key_id = secrets.token_hex(4)
    return key_id, f"{_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"


class RegistryKeys:
    """The registry's key ring: the admin key, and account keys looked up in the store.

    With neither an admin key nor account keys the registry is open (as on loopback for
    development); once any account key exists, every request needs a key.
    """

    def __init__(self, admin_key: str | None, table: KeyTable) -> None:
        self._admin = AdminKey(admin_key)
        self._table = table

    def required(self) -> bool:
        """Whether requests must carry a key."""
        return self._admin.required() or self._table.has_api_keys()

    def identify(self, key: bytes) -> Caller | None:
        """The admin, the account whose key ``key`` is, or None."""
        admin = self._admin.identify(key)
        if admin is not None or not key.startswith(_PREFIX.encode()):
            return admin
        account = self._table.api_key_account(key_hash(key))
        return Caller(account) if account is not None else None
