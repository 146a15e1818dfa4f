"""Whether a program is valid Python, without running it."""

from __future__ import annotations

import ast
import warnings

_MAX_SOURCE = 1_000_000
"""Characters parsed at most: a longer block is not a plausible answer and would cost time."""


def python_problem(code: str) -> str | None:
    """Why ``code`` is not valid Python, or None when it parses."""
    if len(code) > _MAX_SOURCE:
        return f"code is longer than {_MAX_SOURCE} characters"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)  # e.g. invalid escapes: still valid
            ast.parse(code)
    except SyntaxError as exc:
        return f"line {exc.lineno}: {exc.msg}"
    except (RecursionError, MemoryError, ValueError) as exc:
        return f"cannot be parsed: {type(exc).__name__}"
    return None
