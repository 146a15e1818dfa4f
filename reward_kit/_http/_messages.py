"""The error message a server put in its reply, whatever shape it chose."""

from __future__ import annotations

import json

import httpx


def server_message(response: httpx.Response, limit: int = 500) -> str:
    """The error message a server put in its reply, whatever the usual shape.

    ``{"detail": ...}`` (FastAPI), ``{"error": {"message": ...}}`` (OpenAI, Google),
    ``{"error": "..."}`` or ``{"message": ...}``; else the start of the body.
    """
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        return _clip(text, limit) if text else (response.reason_phrase or "(empty body)")
    if isinstance(body, dict):
        for key in ("detail", "error", "message"):
            detail = body.get(key)
            if isinstance(detail, dict):
                nested = detail.get("message", detail.get("detail"))
                detail = nested if isinstance(nested, str) else detail
            if detail is not None:
                return _clip(detail if isinstance(detail, str) else json.dumps(detail), limit)
    return _clip(json.dumps(body), limit)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + " ..."
