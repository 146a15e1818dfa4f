"""What a worker process answers, as JSON: a process that ran user code replies in data only.

Unpickling a reply would let the code that produced it run anything in the caller (an exception
whose ``__reduce__`` returns ``eval``), so replies are JSON built from plain values and a short
list of known result types, and an exception travels as its type name, message and traceback.
The caller rebuilds only built-in exception types and reward-kit's own; anything else becomes an
``EvaluationError`` that names the original type.

Encoded forms: JSON scalars and arrays stand for themselves; every JSON object is a tag:
``{"t": [...]}`` a tuple, ``{"d": {...}}`` a dict with string keys, ``{"p": [[k, v], ...]}`` any
other dict, ``{"f": "nan"}`` a non-finite float, ``{"m": name, "v": ...}`` a registered type.
"""

from __future__ import annotations

import builtins
import dataclasses
import json
import math
from collections.abc import Callable
from typing import Any, TypeVar

from reward_kit import errors
from reward_kit.errors import EvaluationError

__all__ = ["decode_error", "decode_value", "encode_error", "encode_value", "wire_type"]

C = TypeVar("C", bound=type)

_BY_NAME: dict[str, type] = {}
_BY_TYPE: dict[type, str] = {}
_MAX_MESSAGE = 20_000
"""Characters of an exception's message and traceback that travel back."""


def wire_type(cls: C) -> C:
    """Register a dataclass or pydantic model as a value workers may send back."""
    name = f"{cls.__module__}:{cls.__qualname__}"
    _BY_NAME[name] = cls
    _BY_TYPE[cls] = name
    return cls


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"f": repr(value)}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, tuple):
        return {"t": [_encode(item) for item in value]}
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value):
            return {"d": {key: _encode(item) for key, item in value.items()}}
        return {"p": [[_encode(key), _encode(item)] for key, item in value.items()]}
    name = _BY_TYPE.get(type(value))
    if name is None:
        raise TypeError(
            f"a {type(value).__module__}.{type(value).__qualname__} cannot be sent back from a "
            "worker process (only JSON-like values and reward-kit results can)"
        )
    if dataclasses.is_dataclass(value):
        fields = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"m": name, "v": fields}
    return {"m": name, "v": value.model_dump(mode="json")}


def _decode(data: Any) -> Any:
    if isinstance(data, list):
        return [_decode(item) for item in data]
    if not isinstance(data, dict):
        return data
    if "t" in data:
        return tuple(_decode(item) for item in data["t"])
    if "d" in data:
        return {key: _decode(item) for key, item in data["d"].items()}
    if "p" in data:
        return {_decode(key): _decode(item) for key, item in data["p"]}
    if "f" in data:
        return float(data["f"])
    cls = _BY_NAME.get(data.get("m", ""))
    if cls is None:
        raise EvaluationError(f"a worker sent back an unknown type {data.get('m')!r}")
    if dataclasses.is_dataclass(cls):
        return cls(**{key: _decode(item) for key, item in data["v"].items()})
    validate: Callable[[Any], Any] = getattr(cls, "model_validate")  # noqa: B009
    return validate(data["v"])


def encode_value(value: Any) -> bytes:
    """The JSON reply for a call that returned ``value``; TypeError if it cannot be sent."""
    return json.dumps({"ok": _encode(value)}, ensure_ascii=False).encode("utf-8", "replace")


def encode_error(exc: BaseException, formatted: str = "") -> bytes:
    """The JSON reply for a call that raised ``exc`` (``formatted``: its traceback)."""
    kind = type(exc)
    error = {
        "type": f"{kind.__module__}.{kind.__qualname__}",
        "message": str(exc)[:_MAX_MESSAGE],
        "traceback": formatted[-_MAX_MESSAGE:],
    }
    return json.dumps({"error": error}, ensure_ascii=False).encode("utf-8", "replace")


def _known_exception(type_name: str) -> type[BaseException] | None:
    """Built-in and reward-kit exception classes, the only ones rebuilt from a reply."""
    module, _, name = type_name.rpartition(".")
    namespace: Any = {"builtins": builtins, "reward_kit.errors": errors}.get(module)
    cls = getattr(namespace, name, None) if namespace is not None else None
    if isinstance(cls, type) and issubclass(cls, Exception):
        return cls
    return None


def decode_error(error: dict[str, Any]) -> BaseException:
    """The exception a worker reported: its own type when known, else an ``EvaluationError``."""
    type_name, message = str(error.get("type", "")), str(error.get("message", ""))
    cls = _known_exception(type_name)
    if cls is not None:
        try:
            return cls(message)
        except Exception:  # a constructor that wants other arguments
            pass
    short = type_name.removeprefix("builtins.")
    return EvaluationError(f"{short}: {message}" if message else short)


def decode_value(reply: bytes) -> Any:
    """The value of a reply (``encode_value``), or raise the exception it reports."""
    try:
        data = json.loads(reply)
    except ValueError as exc:
        raise EvaluationError(f"cannot read the worker's reply: {exc}") from None
    if not isinstance(data, dict) or not ({"ok", "error"} & data.keys()):
        raise EvaluationError("cannot read the worker's reply: not a result or an error")
    if "error" in data:
        raise decode_error(data["error"] if isinstance(data["error"], dict) else {})
    try:
        return _decode(data["ok"])
    except (KeyError, TypeError, ValueError) as exc:
        raise EvaluationError(f"cannot read the worker's reply: {exc}") from None
