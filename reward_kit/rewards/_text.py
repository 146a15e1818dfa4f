"""Splitting text into words in any script, for n-gram statistics."""

from __future__ import annotations

import re

# Scripts written without spaces between words: each character is a token.
_UNSPACED = (
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs
    "\u0e00-\u0e7f"  # Thai
    "\u0e80-\u0eff"  # Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
)
_TOKEN = re.compile(rf"[{_UNSPACED}]|[^\W{_UNSPACED}]+")


def words(text: str) -> list[str]:
    """Lower-cased word tokens; characters of scripts without spaces are tokens on their own."""
    return _TOKEN.findall(text.lower())


def ngrams(tokens: list[str], size: int) -> list[tuple[str, ...]]:
    """All n-grams of ``size`` tokens, in order."""
    return [tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1)]


_THINK_OPEN = re.compile(r"<think>", re.IGNORECASE)
_THINK_CLOSE = re.compile(r"</think>", re.IGNORECASE)


def restore_prefilled_think(text: str) -> str:
    """Put back the ``<think>`` that a chat template prefilled in the prompt.

    Templates of reasoning models (DeepSeek-R1, Qwen3) end the prompt with ``<think>``, so the
    generation starts inside the reasoning and only closes it. A text with a ``</think>`` and
    no ``<think>`` before it gets one prepended; any other text is returned unchanged.
    """
    close = _THINK_CLOSE.search(text)
    if close is None or _THINK_OPEN.search(text, 0, close.start()) is not None:
        return text
    return "<think>" + text
