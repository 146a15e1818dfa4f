"""Catch misspelt options: a keyword a reward does not know, but that is close to one it does.

Rewards take ``**kwargs`` because datasets pass their extra columns as keywords, so a typo
(``tolerence=``) would otherwise be swallowed and the default silently used.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import threading
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["RewardOptionWarning", "check_options"]

F = TypeVar("F", bound=Callable[..., Any])

_warned: set[tuple[str, str]] = set()
_lock = threading.Lock()


class RewardOptionWarning(UserWarning):
    """A keyword looks like a misspelt option of the reward it was given to."""


_DATA_KEYWORDS = frozenset({"messages", "ground_truth", "original_messages"})


def _options(func: Callable[..., Any]) -> tuple[str, ...]:
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return tuple(
        p.name
        for p in inspect.signature(func).parameters.values()
        if p.kind in kinds and p.name not in _DATA_KEYWORDS
    )


@functools.lru_cache(maxsize=4096)
def _near_miss(key: str, options: tuple[str, ...]) -> str | None:
    """The option ``key`` looks like a misspelling of, if any (computed once per pair: a
    reward is called with the same dataset columns for every sample)."""
    if key in options or key in _DATA_KEYWORDS:
        return None
    near = difflib.get_close_matches(key, options, n=1, cutoff=0.8)
    return near[0] if near else None


def warn_near_misses(name: str, options: tuple[str, ...], kwargs: dict[str, Any]) -> None:
    """Warn once per (reward, keyword) for a keyword close to one of ``options``."""
    for key in kwargs:
        near = _near_miss(key, options)
        if near is None:
            continue
        with _lock:
            if (name, key) in _warned:
                continue
            _warned.add((name, key))
        warnings.warn(
            f"{name}: unknown keyword {key!r} is ignored; did you mean {near!r}?",
            RewardOptionWarning,
            stacklevel=4,
        )


def check_options(func: F) -> F:
    """Decorate a built-in reward (under ``@reward_function``) to warn about misspelt options."""
    options = _options(func)
    name = func.__name__

    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            warn_near_misses(name, options, kwargs)
            return await func(*args, **kwargs)

        return async_wrapper  # type: ignore[return-value]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        warn_near_misses(name, options, kwargs)
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
