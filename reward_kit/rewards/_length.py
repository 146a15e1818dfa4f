"""Measuring a response's length and mapping a position in a range to a reward."""

from __future__ import annotations

import functools
import importlib
import math
from collections.abc import Mapping
from typing import Any, Literal

TokenMethod = Literal["whitespace", "characters", "tokenizer"]
Scaling = Literal["linear", "cosine"]


@functools.lru_cache(maxsize=8)
def _named_tokenizer(name: str) -> Any:
    """A Hugging Face tokenizer by name or path, loaded once (from the local cache if offline)."""
    try:
        transformers = importlib.import_module("transformers")
    except ImportError:
        raise ValueError(
            f"tokenizer={name!r} is a name: loading it needs transformers (pip install "
            "transformers), or pass a tokenizer object or a callable instead"
        ) from None
    try:
        return transformers.AutoTokenizer.from_pretrained(name)
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot load tokenizer {name!r}: {exc}") from None


def _tokenizer_length(text: str, tokenizer: Any) -> int:
    """Count tokens with any callable or tokenizer object (HF ``transformers``, ``tiktoken``)."""
    if isinstance(tokenizer, str):
        tokenizer = _named_tokenizer(tokenizer)
    encode = getattr(tokenizer, "encode", None)
    if callable(encode):
        try:
            ids = encode(text, add_special_tokens=False)
        except TypeError:  # tokenizers without that option (tiktoken, sentencepiece wrappers)
            ids = encode(text)
        return _count(ids)
    if callable(tokenizer):
        return _count(tokenizer(text))
    raise ValueError(
        f"tokenizer must be a callable or have an encode() method, got {type(tokenizer).__name__}"
    )


def _count(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("tokenizer returned a bool; expected tokens or a count")
    if isinstance(value, int):
        return value
    if isinstance(value, Mapping) and "input_ids" in value:  # HF BatchEncoding
        return len(value["input_ids"])
    ids = getattr(value, "ids", None)  # HF ``tokenizers.Encoding``
    if ids is not None:
        return len(ids)
    try:
        return len(value)
    except TypeError:
        raise ValueError(
            f"tokenizer returned {type(value).__name__}; expected a sequence of tokens or a count"
        ) from None


def measure(text: str, token_method: str, tokenizer: Any = None) -> int:
    """The length of ``text`` in words, characters or tokenizer tokens.

    Raises:
        ValueError: an unknown ``token_method``, or ``"tokenizer"`` without a usable tokenizer.
    """
    if token_method == "whitespace":
        return len(text.split())
    if token_method == "characters":
        return len(text)
    if token_method == "tokenizer":
        if tokenizer is None:
            raise ValueError('token_method="tokenizer" needs tokenizer= (a callable or tokenizer)')
        return _tokenizer_length(text, tokenizer)
    raise ValueError(
        f"token_method must be 'whitespace', 'characters' or 'tokenizer', got {token_method!r}"
    )


def interpolate(progress: float, start: float, end: float, scaling: str) -> float:
    """The value at ``progress`` (clamped to 0..1) on the way from ``start`` to ``end``.

    ``"linear"`` moves at a constant rate; ``"cosine"`` follows half a cosine wave, flat near
    both ends, as in the cosine length rewards of Kimi k1.5 and open-r1.
    """
    progress = min(1.0, max(0.0, progress))
    if scaling == "linear":
        weight = progress
    elif scaling == "cosine":
        weight = 0.5 * (1.0 - math.cos(math.pi * progress))
    else:
        raise ValueError(f"scaling must be 'linear' or 'cosine', got {scaling!r}")
    return start + (end - start) * weight


def pair(value: Any, what: str) -> tuple[float, float]:
    """Read a ``(low, high)`` pair of finite numbers (a list from a config works too)."""
    try:
        low, high = (float(item) for item in value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a pair of numbers, got {value!r}") from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"{what} must be finite, got {value!r}")
    if low > high:
        raise ValueError(f"{what} must be (min, max), got {value!r}")
    return low, high


def value_ranges(
    correct_range: Any, wrong_range: Any, values: dict[str, float | None]
) -> tuple[tuple[float, float], tuple[float, float]]:
    """The ranges, with reward-kit's ``min_value_*``/``max_value_*`` overriding their ends."""
    correct, wrong = list(correct_range), list(wrong_range)
    for key, value in values.items():
        if value is not None:
            bound, _, kind = key.partition("_value_")
            (correct if kind == "correct" else wrong)[bound == "max"] = value
    return pair(correct, "correct_range"), pair(wrong, "wrong_range")
