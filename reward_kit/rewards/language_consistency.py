"""Language consistency reward: does the response stay in the expected language?"""

from __future__ import annotations

from collections import Counter
from typing import Any

from reward_kit.models import EvaluateResult, Message, MetricResult
from reward_kit.rewards._common import RewardInputError, prompt_text, response_text
from reward_kit.rewards._language import detect, normalise_language, prose, script, segments
from reward_kit.rewards._options import check_options
from reward_kit.typed_interface import reward_function

__all__ = [
    "count_words_by_language",
    "detect_dominant_language",
    "language_consistency_reward",
]


def count_words_by_language(text: str) -> dict[str, int]:
    """Words of ``text``'s prose per detected language (ISO 639-1 codes).

    Code, math, URLs and tags are left out; sentences whose language is uncertain count for
    none.
    """
    counts: Counter[str] = Counter()
    for segment in segments(text):
        if segment.language is not None and segment.confident:
            counts[segment.language] += segment.words
    return dict(counts)


def detect_dominant_language(text: str) -> tuple[str | None, float]:
    """The language most of ``text``'s words are in and its share of them (None, 0.0 if none)."""
    counts = count_words_by_language(text)
    if not counts:
        return None, 0.0
    language, count = max(counts.items(), key=lambda item: item[1])
    return language, count / sum(counts.values())


def _target(
    messages: list[Message], target_language: str | None, auto_detect: bool
) -> tuple[str, str | None, str]:
    """The target language, the script expected of it (when known) and where it came from."""
    if target_language is not None:
        return normalise_language(target_language), None, "target_language"
    if not auto_detect:
        return "en", None, "default, auto_detect=False"
    prompt = prose(prompt_text(messages))
    language, probability = detect(prompt)
    if language is None:
        raise RewardInputError(
            "cannot tell the prompt's language (no user text, or too little to be sure: "
            f"best guess has p={probability:.2f}); pass target_language="
        )
    return language, script(prompt), "prompt"


@reward_function
@check_options
def language_consistency_reward(
    messages: list[Message],
    ground_truth: Any = None,
    target_language: str | None = None,
    min_consistency: float = 0.6,
    include_thinking: bool = True,
    partial_credit: bool = False,
    auto_detect: bool = True,
    **kwargs: Any,
) -> EvaluateResult:
    """Score 1.0 when the response is written in the target language, else 0.0.

    The response's prose (code, math, URLs and tags removed) is split into sentences and each is
    identified with a statistical language model (py3langid). ``consistency`` is the share of
    words in target-language sentences among the sentences whose language is clear: those
    identified confidently, those whose best guess is the target, and those in another script
    than the target's (when all are unclear, the response is identified as a whole). The
    response passes when the language with most words is the target and consistency
    reaches ``min_consistency``.

    Args:
        messages: The conversation; its last assistant message is judged.
        ground_truth: Not used.
        target_language: ISO 639-1 code (``"en"``, ``"zh-CN"``); by default the language of the
            user's prompt.
        min_consistency: Least share of target-language text for a pass (0..1).
        include_thinking: Also judge ``<think>`` reasoning (where language mixing often shows).
        partial_credit: True: the score is the consistency itself.
        auto_detect: False: without ``target_language`` the target is English (reward-kit's
            default) instead of the prompt's language.

    Returns:
        Metrics ``language_consistency`` (the score), ``consistency`` (the share),
        ``dominant_language``, ``target_language`` (which, and where it came from) and
        ``<code>_percentage`` for the (up to three) languages with most words.
    """
    if not 0.0 <= min_consistency <= 1.0:
        return EvaluateResult.invalid(f"min_consistency must be in 0..1, got {min_consistency}")
    try:
        text = response_text(messages, drop_thinking=not include_thinking)
        target, target_script, source = _target(messages, target_language, auto_detect)
    except (RewardInputError, ValueError) as exc:
        return EvaluateResult.invalid(str(exc))
    parts = segments(text)
    if target_script is None:
        scripts = [p.script for p in parts if p.confident and p.language == target]
        target_script = max(set(scripts), key=scripts.count) if scripts else None
    votes: Counter[str] = Counter()
    for part in parts:
        if part.confident or part.language == target:
            votes[part.language or ""] += part.words
        elif target_script is not None and part.script != target_script:
            votes[part.language or ""] += part.words  # unsure of the language, sure it is not it
    counted = sum(votes.values())
    if not counted and parts:  # every sentence is short and unsure: judge the whole response
        whole, _ = detect(prose(text))
        counted = sum(part.words for part in parts)
        votes[whole or ""] = counted
    matching = votes[target]
    dominant = votes.most_common(1)[0][0] if votes else None
    consistency = matching / counted if counted else 0.0
    passed = dominant == target and consistency >= min_consistency
    score = consistency if partial_credit else float(passed)
    reason = (
        f"dominant language {dominant or 'unclear'}, target {target} "
        f"(from {source}); {consistency:.0%} of clear text in {target}, "
        f"{'meets' if consistency >= min_consistency else 'below'} {min_consistency:.0%}"
        if parts
        else f"response has no prose to identify; target {target} (from {source})"
    )
    metrics = {
        "consistency": MetricResult(score=consistency, reason=f"{matching}/{counted} words"),
        "dominant_language": MetricResult(
            score=float(dominant == target),
            reason=f"{dominant or 'unclear'} vs target {target}",
            success=dominant == target,
        ),
        "language_consistency": MetricResult(score=score, reason=reason),
        "target_language": MetricResult(score=1.0, reason=f"{target} (from {source})"),
    }
    for language, words in votes.most_common(3):
        if language and words:
            share = words / counted
            metrics[f"{language}_percentage"] = MetricResult(
                score=share, reason=f"{share:.0%} of clear text in {language}"
            )
    return EvaluateResult(score=score, reason=reason, metrics=metrics)
