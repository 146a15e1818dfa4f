"""Measuring a summary: its length, its sentences, how much of it repeats, which facts it holds."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reward_kit.rewards._length import measure
from reward_kit.rewards._rouge import needs_unicode, rouge_scorer
from reward_kit.rewards._text import words

_APPROX_TOKEN = re.compile(r"\w+|[^\w\s]")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_BULLET = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s+")

MATCHES = ("exact", "normalized", "rouge")


def length(text: str, unit: str, tokenizer: Any = None) -> int:
    """Words (whitespace-separated) or tokens (``tokenizer``'s, else words and punctuation)."""
    if unit == "words":
        return len(text.split())
    if unit == "tokens":
        if tokenizer is not None:
            return measure(text, "tokenizer", tokenizer)
        return len(_APPROX_TOKEN.findall(text))
    raise ValueError(f"unit must be 'words' or 'tokens', got {unit!r}")


def gate(size: int, max_length: int, mode: str, falloff: float) -> float:
    """1 up to ``max_length``; past it 0 (hard) or a linear fall to 0 at
    ``max_length * (1 + falloff)`` (smooth)."""
    if mode not in ("hard", "smooth"):
        raise ValueError(f"mode must be 'hard' or 'smooth', got {mode!r}")
    if size <= max_length:
        return 1.0
    if mode == "hard":
        return 0.0
    return max(0.0, 1.0 - (size - max_length) / (max_length * falloff))


def sentences(text: str) -> list[str]:
    """Sentences and lines of ``text``, bullets removed, empty ones dropped."""
    parts = (_BULLET.sub("", part).strip() for part in _SENTENCE.split(text))
    return [part for part in parts if part]


def uniqueness(text: str) -> float:
    """Share of sentences that are not a repeat of an earlier one (1.0 for an empty text)."""
    keys = [" ".join(words(s)) for s in sentences(text)]
    keys = [key for key in keys if key]
    return len(set(keys)) / len(keys) if keys else 1.0


def facts(value: Any) -> list[str]:
    """Key facts: a list of strings, a bulleted text (one per line), or a prose reference
    (one per sentence)."""
    if isinstance(value, str):
        lines = [line for line in value.splitlines() if line.strip()]
        items = [_BULLET.sub("", line).strip() for line in lines] if len(lines) > 1 else None
        found = items if items is not None else sentences(value)
    elif isinstance(value, Sequence) and all(isinstance(item, str) for item in value):
        found = [item.strip() for item in value]
    else:
        raise ValueError("key facts must be a list of strings or a text")
    return [fact for fact in found if fact]


def normalise(text: str) -> str:
    """Case-folded words and numbers, accents and punctuation removed, single-spaced."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode() or text
    return " ".join(words(plain.casefold()))


@dataclass(frozen=True)
class FactMatch:
    """How well one fact is found in a summary: ``score`` in 0..1, ``found`` past the bar."""

    fact: str
    score: float
    found: bool


def match_fact(fact: str, summary: str, match: str, threshold: float) -> FactMatch:
    """Find ``fact`` in ``summary``: verbatim, normalised, or by ROUGE-L recall per sentence."""
    if match == "exact":
        hit = fact in summary
        return FactMatch(fact, float(hit), hit)
    if match == "normalized":
        hit = f" {normalise(fact)} " in f" {normalise(summary)} "
        return FactMatch(fact, float(hit), hit)
    if match != "rouge":
        raise ValueError(f"match must be one of {MATCHES}, got {match!r}")
    scorer = rouge_scorer("rougeL", True, needs_unicode(fact))
    best = max(
        (float(scorer.score(fact, sentence)["rougeL"].recall) for sentence in sentences(summary)),
        default=0.0,
    )
    return FactMatch(fact, best, best >= threshold)


def rouge_l(reference: str, summary: str) -> float:
    """ROUGE-L F-measure of ``summary`` against ``reference`` (stemmed)."""
    result = rouge_scorer("rougeL", True, needs_unicode(reference)).score(reference, summary)
    return float(result["rougeL"].fmeasure)


def finite_unit(value: float, what: str) -> float:
    """``value`` as a float in 0..1, or ValueError naming ``what``."""
    number = float(value)
    if not math.isfinite(number) or not 0.0 <= number <= 1.0:
        raise ValueError(f"{what} must give a score in 0..1, got {value!r}")
    return number
