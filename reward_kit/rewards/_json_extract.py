"""Finding the one JSON value a response gives: a fenced block, the whole text, or inline."""

from __future__ import annotations

import json
import re
from typing import Any

_FENCE = re.compile(r"```[ \t]*([\w+-]*)[^\n`]*\n(.*?)```", re.DOTALL)
_JSON_FENCES = {"", "json", "jsonc", "json5", "javascript", "js"}
_OPENING = re.compile(r"[{\[]")
_MAX_CANDIDATES = 200
"""Starts of inline JSON tried at most, so a text full of braces stays cheap to scan."""


class JSONExtractionError(ValueError):
    """The response holds no JSON value, several, or one that does not parse."""


def _parse(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise JSONExtractionError(
            f"invalid JSON in {where} at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise JSONExtractionError(f"JSON in {where} is nested too deeply") from None


def _inline_values(text: str) -> tuple[list[Any], JSONExtractionError | None]:
    """Objects and arrays that parse inside prose, and the error of the first that did not."""
    decoder = json.JSONDecoder()
    values: list[Any] = []
    first_error: JSONExtractionError | None = None
    position, tried = 0, 0
    while tried < _MAX_CANDIDATES:
        match = _OPENING.search(text, position)
        if match is None:
            break
        tried += 1
        try:
            value, end = decoder.raw_decode(text, match.start())
        except json.JSONDecodeError as exc:
            if first_error is None:
                first_error = JSONExtractionError(
                    f"invalid JSON in the response at line {exc.lineno} column {exc.colno}: "
                    f"{exc.msg}"
                )
            position = match.start() + 1
            continue
        except RecursionError:
            if first_error is None:
                first_error = JSONExtractionError("JSON in the response is nested too deeply")
            position = match.start() + 1
            continue
        values.append(value)
        position = end
    return values, first_error


def extract_json(text: str) -> tuple[Any, str]:
    """Return the JSON value of ``text`` and where it was found.

    A single fenced code block (```json or unlabelled) is used when present; otherwise the
    whole text, or else the one object or array written inside the prose. Several candidate
    values are an error rather than a choice, so a response cannot offer many answers.

    Raises:
        JSONExtractionError: no JSON, several JSON values, or JSON that does not parse (the
            message says where).
    """
    fenced = [body for lang, body in _FENCE.findall(text) if lang.lower() in _JSON_FENCES]
    if len(fenced) > 1:
        raise JSONExtractionError(f"{len(fenced)} fenced JSON blocks; expected exactly one")
    if fenced:
        return _parse(fenced[0], "the fenced code block"), "fenced code block"
    stripped = text.strip()
    if not stripped:
        raise JSONExtractionError("the response is empty")
    try:
        return json.loads(stripped), "whole response"
    except (json.JSONDecodeError, RecursionError):
        pass
    values, error = _inline_values(stripped)
    if len(values) > 1:
        raise JSONExtractionError(
            f"{len(values)} separate JSON values in the response; expected one"
        )
    if values:
        return values[0], "inside the response text"
    if error is not None:
        raise error
    raise JSONExtractionError("no JSON object or array found in the response")
