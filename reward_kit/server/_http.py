"""ASGI middlewares shared by both server modes: who is calling, body limits, crash guard.

They are plain ASGI (no per-request task, no buffering), so they cost little on the evaluation
hot path, and a body over the limit is refused as it streams in, never held in memory.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from starlette.exceptions import HTTPException

if TYPE_CHECKING:
    from fastapi import FastAPI

logger = logging.getLogger("reward_kit.server")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

OPEN_PATHS = frozenset({"/health", "/docs", "/docs/oauth2-redirect", "/openapi.json", "/redoc"})
"""Paths answered without an API key: liveness probes and the API documentation."""
UPLOAD_PREFIX = "/v1/uploads/"
"""Signed upload URLs: authorised by the unguessable token in the URL, as a signed URL is."""
CALLER = "reward_kit.caller"
"""Scope key of the :class:`Caller` a request was authenticated as."""


@dataclass(frozen=True)
class Caller:
    """Who sent a request: the admin (``account`` is None) or the holder of an account's key."""

    account: str | None = None


class KeyRing(Protocol):
    """The API keys a server accepts."""

    def required(self) -> bool:
        """Whether requests must carry a key at all."""

    def identify(self, key: bytes) -> Caller | None:
        """Whose key ``key`` is; None for a key this server does not know."""


class AdminKey:
    """One key for everything (the single-evaluator server's, a registry's admin key)."""

    def __init__(self, key: str | None) -> None:
        self._key = key.encode() if key else None

    def required(self) -> bool:
        """True when a key is configured."""
        return self._key is not None

    def identify(self, key: bytes) -> Caller | None:
        """The admin for the configured key (compared in constant time), else None."""
        if self._key is not None and hmac.compare_digest(key, self._key):
            return Caller()
        return None


async def send_json(send: Send, status: int, body: dict[str, Any], headers: Any = ()) -> None:
    """Answer with ``body`` as ASCII-escaped JSON (so any text, even a lone surrogate, encodes)."""
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value)
    return None


def presented_key(scope: Scope) -> bytes | None:
    """The API key a request carries, from ``Authorization: Bearer`` or ``X-Api-Key``."""
    authorization = _header(scope, b"authorization")
    if authorization is not None:
        scheme, _, token = authorization.partition(b" ")
        if scheme.lower() == b"bearer" and token.strip():
            return token.strip()
    return _header(scope, b"x-api-key")


class ApiKeyMiddleware:
    """Rejects requests without a known API key with 401; records the caller in the scope."""

    def __init__(self, app: ASGIApp, keys: KeyRing) -> None:
        self.app = app
        self._keys = keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path in OPEN_PATHS or path.startswith(UPLOAD_PREFIX):
            await self.app(scope, receive, send)
            return
        if not self._keys.required():
            scope[CALLER] = Caller()
            await self.app(scope, receive, send)
            return
        key = presented_key(scope)
        caller = self._keys.identify(key) if key is not None else None
        if caller is None:
            what = "no API key" if key is None else "a wrong API key"
            await send_json(
                send,
                401,
                {
                    "detail": f"request carries {what}: send 'Authorization: Bearer <key>' "
                    "or 'X-Api-Key: <key>'"
                },
                [(b"www-authenticate", b"Bearer")],
            )
            return
        scope[CALLER] = caller
        await self.app(scope, receive, send)


class BodyLimitMiddleware:
    """Answers 413 to bodies over the limit, declared (Content-Length) or streamed (chunked).

    A streamed body is counted as the app reads it, so nothing is buffered here; the app sees
    an ``HTTPException(413)`` from its read once the limit is passed.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_upload = scope.get("path", "").startswith(UPLOAD_PREFIX)
        limit = self.max_upload_bytes if is_upload else self.max_body_bytes
        declared = _header(scope, b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await send_json(send, 400, {"detail": "Content-Length is not a number"})
            elif int(declared) > limit:
                await send_json(send, 413, {"detail": _too_large(limit)})
            else:
                await self.app(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise HTTPException(413, _too_large(limit))
            return message

        await self.app(scope, counted, send)


def _too_large(limit: int) -> str:
    return f"request body is larger than this server's limit of {limit} bytes"


class CrashGuardMiddleware:
    """Answers an unexpected exception with a bare 500 and keeps the connection usable.

    Starlette re-raises such exceptions after answering, and uvicorn then drops the keep-alive
    connection; here the exception is logged and ends with the answer.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            logger.exception("unexpected error answering %s %s", scope["method"], scope["path"])
            if not started:
                detail = f"internal server error ({type(exc).__name__}); see the server log"
                await send_json(send, 500, {"detail": detail})


def secure(app: FastAPI, keys: KeyRing | None, max_body_bytes: int, max_upload_bytes: int) -> None:
    """Add the body limit, the API key check (with ``keys``) and the crash guard to ``app``."""
    app.add_middleware(
        BodyLimitMiddleware, max_body_bytes=max_body_bytes, max_upload_bytes=max_upload_bytes
    )
    if keys is not None:
        app.add_middleware(ApiKeyMiddleware, keys=keys)
    app.add_middleware(CrashGuardMiddleware)
