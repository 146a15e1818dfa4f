"""Language identification of text segments (py3langid) and of Unicode scripts."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Any

from reward_kit.rewards._text import words

# Codes the identifier gives to varieties that users name by their macro-language.
_MACRO = {"wuu": "zh", "yue": "zh", "cmn": "zh", "nb": "no", "nn": "no"}
_BLOCKS = (("```", "```"), ("$$", "$$"), ("\\(", "\\)"), ("\\[", "\\]"))
_INLINE = re.compile(r"`[^`\n]*`|\$[^$\n]*\$|https?://\S+|<[^<>\n]{1,40}>")
_SEGMENT_END = re.compile(r"(?<=[.!?;:\u3002\uff01\uff1f\uff1b])\s+|[\u3002\uff01\uff1f]|\n+")
CONFIDENT = 0.5
"""Probability at or above which a segment's language counts as detected."""


@dataclass(frozen=True)
class Segment:
    """A piece of prose with its most likely language and the Unicode script it is written in."""

    text: str
    words: int
    """Words with letters in it (each Chinese or Japanese character counts as a word)."""
    language: str | None
    confident: bool
    script: str | None


@functools.lru_cache(maxsize=1)
def _identifier() -> Any:
    try:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier  # type: ignore[import-untyped]
    except ImportError:
        raise ImportError(
            "language_consistency_reward needs py3langid, a dependency of reward-kit: "
            "pip install 'py3langid>=0.4'"
        ) from None
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


_NAMES = {
    "english": "en", "spanish": "es", "french": "fr", "german": "de", "italian": "it",
    "portuguese": "pt", "dutch": "nl", "russian": "ru", "chinese": "zh", "mandarin": "zh",
    "japanese": "ja", "korean": "ko", "arabic": "ar", "hindi": "hi", "turkish": "tr",
    "polish": "pl", "swedish": "sv", "vietnamese": "vi", "thai": "th", "greek": "el",
    "hebrew": "he", "indonesian": "id", "ukrainian": "uk", "czech": "cs", "danish": "da",
    "finnish": "fi", "norwegian": "no", "romanian": "ro", "hungarian": "hu", "persian": "fa",
}  # fmt: skip


def normalise_language(code: str) -> str:
    """``"en-US"`` -> ``"en"``, ``"zh_Hans"`` -> ``"zh"``, ``"Spanish"`` -> ``"es"``.

    Raises:
        ValueError: a code or name that is not known.
    """
    code = _NAMES.get(code.strip().lower(), code)
    base = re.split(r"[-_]", code.strip().lower(), maxsplit=1)[0]
    base = _MACRO.get(base, base)
    known = {_MACRO.get(label, label) for label in _identifier().labels}
    if base not in known:
        raise ValueError(
            f"unknown language code {code!r}; use an ISO 639-1 code such as 'en' "
            "or a name such as 'spanish'"
        )
    return base


def detect(text: str) -> tuple[str | None, float]:
    """The most likely language of ``text`` and its probability (None for text without letters)."""
    if not any(ch.isalpha() for ch in text):
        return None, 0.0
    label, probability = _identifier().classify(text)
    return _MACRO.get(label, label), float(probability)


def script(text: str) -> str | None:
    """The Unicode script most letters of ``text`` belong to (``LATIN``, ``CJK``...)."""
    counts = Counter(unicodedata.name(ch, "UNKNOWN").split(" ")[0] for ch in text if ch.isalpha())
    return counts.most_common(1)[0][0] if counts else None


def _without_blocks(text: str, opening: str, closing: str) -> str:
    """``text`` with each ``opening...closing`` span blanked (one pass; an unclosed one stays)."""
    kept, position = [], 0
    while (start := text.find(opening, position)) >= 0:
        end = text.find(closing, start + len(opening))
        if end < 0:
            break
        kept.append(text[position:start])
        position = end + len(closing)
    kept.append(text[position:])
    return " ".join(kept)


def prose(text: str) -> str:
    """``text`` without code, math, URLs and markup tags, which belong to no language."""
    for opening, closing in _BLOCKS:
        text = _without_blocks(text, opening, closing)
    return _INLINE.sub(" ", text)


def segments(text: str) -> list[Segment]:
    """Sentences and lines of prose that contain letters, each with its language and script."""
    found = []
    for piece in _SEGMENT_END.split(prose(text)):
        count = sum(1 for word in words(piece) if any(ch.isalpha() for ch in word))
        if count:
            language, probability = detect(piece)
            confident = probability >= CONFIDENT
            found.append(Segment(piece.strip(), count, language, confident, script(piece)))
    return found
