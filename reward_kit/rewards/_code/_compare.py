"""Strict comparison of a program's output or return value with the expected one."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any


def normalize_output(text: str) -> str:
    """Unify line endings, drop trailing whitespace on each line and trailing blank lines."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).rstrip("\n")


def outputs_match(actual: str, expected: str, float_tolerance: float | None = None) -> bool:
    """Exact match after :func:`normalize_output`; numbers may differ by ``float_tolerance``.

    Missing lines, extra lines and empty output all fail: only whitespace at line ends and
    line-ending style are forgiven.
    """
    got, want = normalize_output(actual), normalize_output(expected)
    if got == want:
        return True
    if float_tolerance is None:
        return False
    got_lines, want_lines = got.split("\n"), want.split("\n")
    if len(got_lines) != len(want_lines):
        return False
    for got_line, want_line in zip(got_lines, want_lines, strict=True):
        got_tokens, want_tokens = got_line.split(), want_line.split()
        if len(got_tokens) != len(want_tokens):
            return False
        for a, b in zip(got_tokens, want_tokens, strict=True):
            if a != b and not _close(a, b, float_tolerance):
                return False
    return True


def _close(a: str, b: str, tolerance: float) -> bool:
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    return math.isclose(x, y, rel_tol=tolerance, abs_tol=tolerance)


def values_match(actual: Any, expected: Any, float_tolerance: float | None = None) -> bool:
    """Plain-data equality where tuples equal lists (JSON has no tuples); exact types otherwise.

    ``actual`` comes from the harness's decoder, so it only ever holds built-in types.
    """
    if isinstance(actual, tuple | list) and isinstance(expected, tuple | list):
        return len(actual) == len(expected) and all(
            values_match(a, b, float_tolerance) for a, b in zip(actual, expected, strict=True)
        )
    if isinstance(actual, dict) and isinstance(expected, dict):
        return actual.keys() == expected.keys() and all(
            values_match(actual[k], expected[k], float_tolerance) for k in actual
        )
    if isinstance(actual, bool) or isinstance(expected, bool):
        return type(actual) is type(expected) and actual == expected
    if isinstance(actual, float) or isinstance(expected, float):
        if not isinstance(actual, int | float) or not isinstance(expected, int | float):
            return False
        if float_tolerance is None:
            return bool(actual == expected)
        return math.isclose(actual, expected, rel_tol=float_tolerance, abs_tol=float_tolerance)
    return type(actual) is type(expected) and bool(actual == expected)


def _as_list(text: str) -> list[Any] | None:
    import ast

    if not (text.startswith("[") and text.endswith("]")):
        return None
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, list) else None


def _matched(got: list[Any], want: list[Any], same: Callable[[Any, Any], bool]) -> int:
    remaining = list(got)
    count = 0
    for item in want:
        hit = next((i for i, candidate in enumerate(remaining) if same(candidate, item)), None)
        if hit is not None:
            remaining.pop(hit)
            count += 1
    return count


def partial_output_score(actual: str, expected: str, float_tolerance: float | None = None) -> float:
    """Structural partial credit: the share of expected items the output gets exactly right.

    A list output scores matched elements over the longer list (``[1, 2, 3, 4]`` for
    ``[1, 2, 3]``: 0.75); multi-line output scores lines equal at the same position over the
    longer output (2 of 3 lines: 0.67). Anything else is all or nothing: a wrong value never
    earns credit for looking like the right one.
    """
    if outputs_match(actual, expected, float_tolerance):
        return 1.0
    got, want = normalize_output(actual).strip(), normalize_output(expected).strip()
    got_list, want_list = _as_list(got), _as_list(want)
    if got_list is not None and want_list is not None:
        longest = max(len(got_list), len(want_list))
        same = lambda a, b: values_match(a, b, float_tolerance)  # noqa: E731
        return _matched(got_list, want_list, same) / longest if longest else 1.0
    got_lines, want_lines = got.split("\n"), want.split("\n")
    if len(want_lines) > 1 or len(got_lines) > 1:
        pairs = zip(got_lines, want_lines, strict=False)
        right = sum(outputs_match(a, b, float_tolerance) for a, b in pairs)
        return right / max(len(got_lines), len(want_lines))
    return 0.0
