"""HTTP plumbing shared by both server modes: authentication, body limits, error answers.

Both middlewares are plain ASGI (no per-request task or buffering beyond what they need), so
they cost little on the evaluation hot path.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse

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


async def _send_json(send: Send, status: int, body: dict[str, Any], headers: Any = ()) -> None:
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
    """Rejects requests without the server's API key with 401 (constant-time comparison)."""

    def __init__(self, app: ASGIApp, api_key: str) -> None:
        self.app = app
        self._key = api_key.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path in OPEN_PATHS or path.startswith(UPLOAD_PREFIX):
            await self.app(scope, receive, send)
            return
        key = presented_key(scope)
        # compare_digest takes time independent of where the first difference is
        if key is None or not hmac.compare_digest(key, self._key):
            what = "no API key" if key is None else "a wrong API key"
            await _send_json(
                send,
                401,
                {
                    "detail": f"request carries {what}: send 'Authorization: Bearer <key>' "
                    "or 'X-Api-Key: <key>'"
                },
                [(b"www-authenticate", b"Bearer")],
            )
            return
        await self.app(scope, receive, send)


class BodyLimitMiddleware:
    """Answers 413 to bodies over the limit, declared (Content-Length) or streamed (chunked)."""

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
                await _send_json(send, 400, {"detail": "Content-Length is not a number"})
            elif int(declared) > limit:
                await self._too_large(send, limit)
            else:
                await self.app(scope, receive, send)
            return
        if _header(scope, b"transfer-encoding") is None:  # no body at all
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        total = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            total += len(chunk)
            if total > limit:
                await self._too_large(send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    @staticmethod
    async def _too_large(send: Send, limit: int) -> None:
        await _send_json(
            send,
            413,
            {"detail": f"request body is larger than this server's limit of {limit} bytes"},
        )


def _location(loc: Any) -> str:
    parts = [part for part in loc if part != "body"] if loc and loc[0] == "body" else list(loc)
    text = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in parts)
    return text.lstrip(".") or "body"


def describe_errors(errors: list[dict[str, Any]]) -> str:
    """Pydantic/FastAPI errors as one line: ``messages[0].role: Input should be ...; ...``."""
    described = [
        f"{_location(e.get('loc', ()))}: {str(e.get('msg', '')).removeprefix('Value error, ')}"
        for e in errors[:5]
    ]
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return "; ".join(described) + more


def install_error_handlers(app: FastAPI) -> None:
    """Bad input gets 400/422 with a message saying what was wrong; a bug gets a bare 500."""
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse

    async def invalid_request(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = list(exc.errors())
        content_type = request.headers.get("content-type", "")
        if content_type and "json" not in content_type and request.method in ("POST", "PUT"):
            return JSONResponse(
                {
                    "detail": f"send the body as JSON with 'Content-Type: application/json' "
                    f"(got {content_type!r})"
                },
                status_code=415,
            )
        if any(error.get("type") == "json_invalid" for error in errors):
            detail = next(e for e in errors if e.get("type") == "json_invalid")
            reason = (detail.get("ctx") or {}).get("error", detail.get("msg", ""))
            return JSONResponse(
                {"detail": f"request body is not valid JSON ({reason})"}, status_code=400
            )
        return JSONResponse(
            {
                "detail": f"invalid request: {describe_errors(errors)}",
                "errors": [
                    {
                        key: value
                        for key, value in json.loads(json.dumps(e, default=str)).items()
                        if key != "input"
                    }  # never echo (possibly large) request bodies back
                    for e in errors
                ],
            },
            status_code=422,
        )

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unexpected error answering %s %s", request.method, request.url.path)
        return JSONResponse(
            {"detail": f"internal server error ({type(exc).__name__}); see the server log"},
            status_code=500,
        )

    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(Exception, unexpected)


def secure(app: FastAPI, api_key: str | None, max_body_bytes: int, max_upload_bytes: int) -> None:
    """Add the body limit and, when a key is configured, the API key check to ``app``."""
    app.add_middleware(
        BodyLimitMiddleware, max_body_bytes=max_body_bytes, max_upload_bytes=max_upload_bytes
    )
    if api_key:
        app.add_middleware(ApiKeyMiddleware, api_key=api_key)
