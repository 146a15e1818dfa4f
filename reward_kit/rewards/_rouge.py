"""Building ``rouge-score`` scorers, shared by the ROUGE and summarisation rewards."""

from __future__ import annotations

import functools
import re
from typing import Any

from reward_kit.rewards._text import words


class _UnicodeTokenizer:
    """Words of any script (one token per CJK character), for ``rouge-score``."""

    def tokenize(self, text: str) -> list[str]:
        return words(text)


@functools.lru_cache(maxsize=32)
def rouge_scorer(rouge_type: str, use_stemmer: bool, unicode_tokens: bool) -> Any:
    """A ``RougeScorer``, built once per configuration (building loads the stemmer)."""
    try:
        from rouge_score import rouge_scorer  # type: ignore[import-untyped]
    except ImportError:
        raise ImportError(
            "rouge rewards need rouge-score, a dependency of reward-kit: "
            "pip install 'rouge-score>=0.1.2'"
        ) from None
    tokenizer = _UnicodeTokenizer() if unicode_tokens else None
    return rouge_scorer.RougeScorer([rouge_type], use_stemmer=use_stemmer, tokenizer=tokenizer)


def needs_unicode(reference: str) -> bool:
    """rouge-score's default tokenizer keeps only a-z and 0-9: other scripts need ours."""
    return not re.search(r"[a-z0-9]", reference.lower()) and bool(words(reference))
