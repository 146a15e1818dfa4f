"""Argument types shared by the commands: a bad value is a usage error (exit 2) naming the flag.

argparse reports a type's ``ArgumentTypeError`` as ``argument --port: <message>``, so each
command checks ports, timeouts and counts the same way before it starts any work.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import TypeVar

_N = TypeVar("_N", int, float)

__all__ = ["non_negative_float", "port", "positive_float", "positive_int", "probability"]


def port(text: str) -> int:
    """A TCP port, 0-65535 (0: any free port)."""
    value = _number(text, int, "a port number")
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port must be 0-65535, got {text}")
    return value


def positive_float(text: str) -> float:
    """A finite number above 0, such as a number of seconds."""
    value = _number(text, float, "a number")
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def non_negative_float(text: str) -> float:
    """A finite number of at least 0, such as a sampling temperature."""
    value = _number(text, float, "a number")
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a number of at least 0, got {text}")
    return value


def probability(text: str) -> float:
    """A number above 0 and at most 1, such as top-p."""
    value = _number(text, float, "a number")
    if not 0 < value <= 1:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be above 0 and at most 1, got {text}")
    return value


def positive_int(text: str) -> int:
    """A whole number of at least 1."""
    value = _number(text, int, "a whole number")
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def _number(text: str, kind: Callable[[str], _N], what: str) -> _N:
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
