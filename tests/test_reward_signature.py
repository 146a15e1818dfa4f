"""Tests of reward_kit/_reward_signature.py: the fast keyword binding binds as bind() does."""

from __future__ import annotations

import inspect
from typing import Any

from reward_kit._reward_signature import KeywordBinding


def _binds_like_signature(func: Any, calls: list[dict[str, Any]]) -> None:
    signature = inspect.signature(func)
    binding = KeywordBinding.of(signature)
    assert binding is not None
    for kwargs in calls:
        try:
            expected = signature.bind(**kwargs).arguments
        except TypeError:
            assert binding.bind(signature, kwargs) is None, kwargs
            continue
        bound = binding.bind(signature, kwargs)
        assert bound is not None and bound.arguments == expected, kwargs
        assert list(bound.arguments) == list(expected), kwargs


def _with_extras(messages: Any, ground_truth: Any = None, *, tol: float = 0.1, **kwargs: Any):
    return messages


def _without_extras(messages: Any, ground_truth: Any = None, *, tol: float = 0.1):
    return messages


def test_keyword_calls_bind_exactly_as_the_signature_does() -> None:
    calls: list[dict[str, Any]] = [
        {"messages": []},
        {"ground_truth": 1, "messages": [], "tol": 2.0},
        {"messages": [], "extra": 1, "kwargs": 2},
        {"ground_truth": 1},
        {"messages": [], "unknown": 3},
    ]
    _binds_like_signature(_with_extras, calls)
    _binds_like_signature(_without_extras, calls)


def test_positional_only_and_star_args_use_the_signature() -> None:
    def positional(messages: Any, /, **kwargs: Any) -> Any:
        return messages

    def star(*args: Any, **kwargs: Any) -> Any:
        return args

    assert KeywordBinding.of(inspect.signature(positional)) is None
    assert KeywordBinding.of(inspect.signature(star)) is None
