"""Sending calls to worker processes: importable functions by reference, the rest by value.

Workers never import the caller's ``__main__`` (a script without a ``__main__`` guard would run
again in every worker), so functions defined there, in a notebook cell, in ``python -`` or in a
closure travel by value with ``cloudpickle``, the serializer loky, joblib and Ray use for this.
Functions of importable modules still go by reference, and those of files loaded by path (a
metrics folder's ``main.py``) by their ``path:qualname`` reference, which the worker imports.
"""

from __future__ import annotations

import io
import pickle
import types
from collections.abc import Callable, Iterator
from typing import Any

import cloudpickle

from reward_kit._loading import load_reference, loaded_file

__all__ = ["dumps", "unpicklable_part"]


class _Pickler(cloudpickle.Pickler):  # type: ignore[misc]
    """cloudpickle, plus: functions of modules loaded from a file go as ``path:qualname``."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, types.FunctionType) and "<locals>" not in obj.__qualname__:
            path = loaded_file(obj.__module__)
            if path is not None:
                return load_reference, (f"{path}:{obj.__qualname__}",)
        if isinstance(obj, types.CodeType) and obj.co_filename != _ANONYMOUS:
            # cloudpickle drops file names; keep them, so a reward's error says where it is
            return _named_code, (obj.replace(co_filename=_ANONYMOUS), obj.co_filename)
        return super().reducer_override(obj)


_ANONYMOUS = "<dynamic-code>"
"""The file name cloudpickle gives every code object it sends."""


def _named_code(code: types.CodeType, filename: str) -> types.CodeType:
    return code.replace(co_filename=filename)


def dumps(value: Any) -> bytes:
    """Pickle ``value`` for a worker process (see the module docstring)."""
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def _parts(func: Any) -> Iterator[tuple[str, Any]]:
    """What a callable carries along when it is pickled by value, each with a name for it."""
    seen: set[int] = set()
    pending: list[tuple[str, Any]] = [("", func)]
    while pending:
        prefix, target = pending.pop()
        if id(target) in seen:
            continue
        seen.add(id(target))
        inner = getattr(target, "_func", None) or getattr(target, "func", None)
        if callable(inner) and inner is not target:  # a decorated reward, a partial
            pending.append((prefix, inner))
        if isinstance(target, types.MethodType):
            yield f"{prefix}self", target.__self__
            pending.append((prefix, target.__func__))
        if not isinstance(target, types.FunctionType):
            continue
        code = target.__code__
        for name, cell in zip(code.co_freevars, target.__closure__ or (), strict=False):
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            yield f"{prefix}{name}", value
            if isinstance(value, types.FunctionType):
                pending.append((f"{prefix}{name}.", value))
        for name in code.co_names:
            if name in target.__globals__:
                value = target.__globals__[name]
                if not isinstance(value, types.ModuleType):
                    yield f"{prefix}{name}", value
        for default in target.__defaults__ or ():
            yield f"{prefix}default", default


def unpicklable_part(func: Callable[..., Any]) -> str | None:
    """Name the first object ``func`` carries that cannot be pickled (None: none found).

    Example: ``"'lock' (a _thread.lock: cannot pickle '_thread.lock' object)"``.
    """
    for name, value in _parts(func):
        try:
            dumps(value)
        except Exception as exc:
            kind = f"{type(value).__module__}.{type(value).__qualname__}".removeprefix("builtins.")
            return f"{name!r} (a {kind}: {exc})"
    return None
