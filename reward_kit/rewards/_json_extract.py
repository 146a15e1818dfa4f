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


def json_candidates(text: str) -> tuple[list[Any], str]:
    """Every JSON value ``text`` offers, in order, and where they were found.

    The fenced code blocks (```json or unlabelled) when there are any; otherwise the whole
    text; otherwise each object or array written inside the prose. A candidate that does not
    parse is a :class:`JSONExtractionError` in the list, so a caller choosing one by index
    sees exactly what it chose.
    """
    fenced = [body for lang, body in _FENCE.findall(text) if lang.lower() in _JSON_FENCES]
    if fenced:
        found: list[Any] = []
        for index, body in enumerate(fenced):
            try:
                label = f"fenced code block {index + 1}" if len(fenced) > 1 else ""
                found.append(_parse(body, label or "the fenced code block"))
            except JSONExtractionError as exc:
                found.append(exc)
        return found, "fenced code block"
    stripped = text.strip()
    if not stripped:
        return [JSONExtractionError("the response is empty")], "whole response"
    try:
        return [json.loads(stripped)], "whole response"
    except (json.JSONDecodeError, RecursionError):
        pass
    values, error = _inline_values(stripped)
    if not values:
        missing = JSONExtractionError("no JSON object or array found in the response")
        return [error if error is not None else missing], "response text"
    return values, "inside the response text"


def extract_json(text: str, index: int | None = None) -> tuple[Any, str]:
    """Return the JSON value of ``text`` and where it was found.

    Candidates are those of :func:`json_candidates`. Without ``index``, several candidates
    are an error rather than a choice, so a response cannot offer many answers; with it, the
    candidate at that (0-based, negative from the end) position is used.

    Raises:
        JSONExtractionError: no JSON, several JSON values (without ``index``), no candidate
            at ``index``, or JSON that does not parse (the message says where).
    """
    found, where = json_candidates(text)
    if index is None and len(found) > 1:
        what = "fenced JSON blocks" if where == "fenced code block" else "separate JSON values"
        raise JSONExtractionError(f"{len(found)} {what} in the response; expected one")
    position = 0 if index is None else index
    if not -len(found) <= position < len(found):
        raise JSONExtractionError(
            f"json_index={index} but the response has {len(found)} JSON value(s)"
        )
    value = found[position]
    if isinstance(value, JSONExtractionError):
        raise value
    label = where if index is None else f"{where} (JSON value {position % len(found)})"
    return value, label
