"""What both server modes answer: error messages, JSON that always encodes, request bodies.

Bad input gets a 4xx whose ``detail`` says what was wrong; text that cannot be UTF-8 (a lone
surrogate a reward echoed) is replaced rather than failing the answer; large evaluation bodies
are parsed and validated in a thread so they do not stall every other request.
"""

from __future__ import annotations

import asyncio
import json
import math
from typing import TYPE_CHECKING, Any

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from reward_kit.models import EvaluateResult, EvaluationRequest
from reward_kit.server._evaluation import request_to_sample

if TYPE_CHECKING:
    from fastapi import FastAPI, Request, Response

    from reward_kit.server._settings import ServerSettings

_INLINE_PARSE_BYTES = 64 * 1024
"""Bodies up to this size are parsed on the event loop (a thread costs more than they do)."""


class SafeJSONResponse(JSONResponse):
    """JSON answer whose text is always UTF-8: unencodable characters become ``?``."""

    def render(self, content: Any) -> bytes:
        text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return text.encode("utf-8", "replace")


def result_response(result: EvaluateResult) -> Response:
    """An ``EvaluateResult`` as the JSON answer, even when a reward put odd text in it."""
    from fastapi import Response

    try:
        payload = result.model_dump_json().encode()
    except ValueError:  # a lone surrogate in reason, error or a metric
        return SafeJSONResponse(result.model_dump(mode="json"))
    return Response(payload, media_type="application/json")


def public_url(settings: ServerSettings, request: Request) -> str:
    """This server's base URL for links it hands out (upload URLs), without a final slash.

    The configured ``public_url``, else the address the connection reached; never the
    client's ``Host`` header, which the client chooses.
    """
    if settings.public_url:
        return settings.public_url.rstrip("/")
    server = request.scope.get("server") or ("127.0.0.1", 80)
    host, port = str(server[0]), server[1]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


async def read_evaluation(request: Request) -> dict[str, Any]:
    """The evaluation request in ``request``'s body, as the scorer's sample dict.

    Large bodies are parsed, validated and converted in a worker thread; errors become the
    same 400/415/422 answers as any other body.
    """
    content_type = request.headers.get("content-type", "")
    if content_type and "json" not in content_type:
        raise RequestValidationError([{"type": "model_type", "loc": ("body",), "msg": ""}])
    body = await request.body()
    if len(body) <= _INLINE_PARSE_BYTES:
        return _to_sample(body)
    return await asyncio.to_thread(_to_sample, body)


def _to_sample(body: bytes) -> dict[str, Any]:
    try:
        parsed = EvaluationRequest.model_validate_json(body)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        raise RequestValidationError(
            [{**error, "loc": ("body", *error.get("loc", ()))} for error in errors]
        ) from None
    for field in ("ground_truth", "tools", "kwargs"):
        where = non_finite(getattr(parsed, field))
        if where is not None:
            raise RequestValidationError([_non_finite_error(("body", field, *where))])
    return request_to_sample(parsed)


def non_finite(value: Any) -> tuple[str | int, ...] | None:
    """Where in ``value`` a NaN or infinite number is (a path of keys), or ``None``.

    JSON has no such numbers, but Python's parsers read ``NaN``, ``Infinity`` and ``1e999``; a
    reward given one compares nothing correctly, so the request is refused naming the place.
    """
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), value)]
    while stack:  # iterative: parsed JSON may be nested as deep as the parser allows
        path, item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return path
        if isinstance(item, dict):
            stack.extend(((*path, str(key)), child) for key, child in item.items())
        elif isinstance(item, list):
            stack.extend(((*path, index), child) for index, child in enumerate(item))
    return None


def _non_finite_error(loc: tuple[str | int, ...]) -> dict[str, Any]:
    return {
        "type": "finite_number",
        "loc": loc,
        "msg": "NaN and Infinity are not JSON numbers; send a finite number (or a string)",
    }


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
    """Bad input gets 400/415/422 with a message saying what was wrong."""

    async def invalid_request(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = list(exc.errors())
        content_type = request.headers.get("content-type", "")
        if content_type and "json" not in content_type and request.method in ("POST", "PUT"):
            return SafeJSONResponse(
                {
                    "detail": f"send the body as JSON with 'Content-Type: application/json' "
                    f"(got {content_type!r})"
                },
                status_code=415,
            )
        if any(error.get("type") == "json_invalid" for error in errors):
            detail = next(e for e in errors if e.get("type") == "json_invalid")
            reason = (detail.get("ctx") or {}).get("error", detail.get("msg", ""))
            return SafeJSONResponse(
                {"detail": f"request body is not valid JSON ({reason})"}, status_code=400
            )
        return SafeJSONResponse(
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

    async def refused(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        return SafeJSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )

    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(HTTPException, refused)


EVALUATION_BODY = {
    "requestBody": {
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/EvaluationRequest"}}
        },
        "required": True,
    }
}
"""``openapi_extra`` of the routes that read their body with :func:`read_evaluation`."""


def document_evaluation_request(app: FastAPI) -> None:
    """Put ``EvaluationRequest``'s schemas in ``app``'s OpenAPI document.

    Routes that read the body themselves (:func:`read_evaluation`) are not seen by FastAPI's
    schema generation, so the schemas come from an app that declares the body the usual way:
    exactly what FastAPI would have written.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi import FastAPI

            declared = FastAPI()

            @declared.post("/")
            async def route(body: EvaluationRequest) -> None:
                """Declares the body, never called."""

            schemas = declared.openapi()["components"]["schemas"]
            document = generate()
            known = document.setdefault("components", {}).setdefault("schemas", {})
            for name, schema in schemas.items():
                if name not in _FASTAPI_ERROR_SCHEMAS or name in known:
                    known[name] = schema
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]


_FASTAPI_ERROR_SCHEMAS = frozenset({"HTTPValidationError", "ValidationError"})
