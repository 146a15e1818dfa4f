"""Strict comparison of a program's output or return value with the expected one."""

from __future__ import annotations

import math
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
