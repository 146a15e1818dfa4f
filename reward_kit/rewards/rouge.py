"""ROUGE rewards: lexical overlap with a reference summary, and recall of key facts."""

from __future__ import annotations

import re
from typing import Any

from reward_kit.models import EvaluateResult, Message, MetricResult
from reward_kit.rewards._common import RewardInputError, ground_truth_value, response_text
from reward_kit.rewards._options import check_options
from reward_kit.rewards._rouge import needs_unicode, rouge_scorer
from reward_kit.typed_interface import reward_function

__all__ = ["bullet_recall_reward", "rouge_reward"]

_ROUGE_TYPE = re.compile(r"rouge(?:[1-9]|L|Lsum)")
_MEASURES = ("fmeasure", "precision", "recall")
_BULLET = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s+")


def _reference(ground_truth: Any) -> str:
    value = ground_truth_value(ground_truth)
    if not isinstance(value, str):
        raise RewardInputError(
            f"ground_truth must be the reference text, got {type(value).__name__}"
        )
    if not value.strip():
        raise RewardInputError("ground_truth (the reference text) is empty")
    return value


@reward_function
@check_options
def rouge_reward(
    messages: list[Message],
    ground_truth: Any = None,
    rouge_type: str = "rougeL",
    measure: str = "fmeasure",
    use_stemmer: bool = True,
    **kwargs: Any,
) -> EvaluateResult:
    """ROUGE overlap between the response and a reference summary (``rouge-score``).

    Reasoning (``<think>``) is left out. Text without Latin letters or digits (Chinese,
    Russian...) is tokenised by Unicode words, since rouge-score's tokenizer would drop it.

    Args:
        messages: The conversation; its last assistant message is scored.
        ground_truth: The reference text (or a message list whose last assistant message is).
        rouge_type: ``rouge1``..``rouge9``, ``rougeL`` or ``rougeLsum``.
        measure: ``fmeasure``, ``precision`` or ``recall``.
        use_stemmer: Porter-stem English words before matching.
    """
    if not _ROUGE_TYPE.fullmatch(rouge_type):
        return EvaluateResult.invalid(
            f"rouge_type must be rouge1..rouge9, rougeL or rougeLsum, got {rouge_type!r}"
        )
    if measure not in _MEASURES:
        return EvaluateResult.invalid(f"measure must be one of {_MEASURES}, got {measure!r}")
    try:
        reference = _reference(ground_truth)
        response = response_text(messages)
    except RewardInputError as exc:
        return EvaluateResult.invalid(str(exc))
    unicode_tokens = needs_unicode(reference)
    result = rouge_scorer(rouge_type, use_stemmer, unicode_tokens).score(reference, response)[
        rouge_type
    ]
    score = float(getattr(result, measure))
    metrics = {
        name: MetricResult(score=float(getattr(result, name)), reason=f"{rouge_type} {name}")
        for name in _MEASURES
    }
    tokens = " (Unicode word tokens)" if unicode_tokens else ""
    return EvaluateResult(
        score=score, reason=f"{rouge_type} {measure} {score:.3f}{tokens}", metrics=metrics
    )


def _facts(ground_truth: Any) -> list[str]:
    value = ground_truth_value(ground_truth)
    if isinstance(value, str):
        lines = [_BULLET.sub("", line).strip() for line in value.splitlines()]
        facts = [line for line in lines if line]
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        facts = [item.strip() for item in value if item.strip()]
    else:
        raise RewardInputError("ground_truth must be a list of key facts or a bulleted text")
    if not facts:
        raise RewardInputError("ground_truth has no key facts")
    return facts


@reward_function
@check_options
def bullet_recall_reward(
    messages: list[Message],
    ground_truth: Any = None,
    threshold: float = 0.8,
    use_stemmer: bool = True,
    **kwargs: Any,
) -> EvaluateResult:
    """The share of key facts the response covers.

    A fact is covered when at least ``threshold`` of its words (ROUGE-1 recall, stemmed)
    appear in the response. Reasoning (``<think>``) is left out.

    Args:
        messages: The conversation; its last assistant message is scored.
        ground_truth: The key facts: a list of strings, a text with one fact per line (bullets
            and numbering are removed), or a message list whose last assistant message is one.
        threshold: Share of a fact's words needed to count it as covered (0..1].
        use_stemmer: Porter-stem English words before matching.
    """
    if not 0.0 < threshold <= 1.0:
        return EvaluateResult.invalid(f"threshold must be in (0, 1], got {threshold}")
    try:
        facts = _facts(ground_truth)
        response = response_text(messages)
    except RewardInputError as exc:
        return EvaluateResult.invalid(str(exc))
    metrics: dict[str, MetricResult] = {}
    covered = 0
    for index, fact in enumerate(facts):
        scorer = rouge_scorer("rouge1", use_stemmer, needs_unicode(fact))
        recall = float(scorer.score(fact, response)["rouge1"].recall)
        ok = recall >= threshold
        covered += ok
        metrics[f"fact_{index}"] = MetricResult(
            score=recall, reason=f"{recall:.0%} of the words of {fact[:80]!r}", success=ok
        )
    score = covered / len(facts)
    return EvaluateResult(
        score=score, reason=f"{covered}/{len(facts)} key facts covered", metrics=metrics
    )
