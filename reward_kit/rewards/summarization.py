"""Summarisation rewards: a length gate, key-fact recall, fluency, and their combination.

The combination multiplies a weighted mean of key-fact recall, ROUGE-L and (optionally)
fluency by the length gate and by the share of sentences that are not repeats, so none of the
usual shortcuts pays: an empty answer, the source copied out, or one line of keywords repeated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reward_kit.llm import DEFAULT_API_KEY_ENV, DEFAULT_BASE_URL
from reward_kit.models import EvaluateResult, Message, MetricResult
from reward_kit.rewards._common import (
    RewardInputError,
    ground_truth_value,
    prompt_text,
    response_text,
)
from reward_kit.rewards._judge import JudgeConfig, JudgeError
from reward_kit.rewards._options import check_options
from reward_kit.rewards._summarization import text as summary
from reward_kit.rewards._summarization.fluency import Scorer, fluency
from reward_kit.typed_interface import reward_function

__all__ = [
    "fluency_reward",
    "key_fact_recall_reward",
    "length_gate_reward",
    "summarization_reward",
]


def _gate_metric(
    text: str, source: str, max_length: int, unit: str, mode: str, falloff: float,
    tokenizer: Any, max_source_ratio: float | None,
) -> MetricResult:  # fmt: skip
    size = summary.length(text, unit, tokenizer)
    if not text.strip():
        return MetricResult(score=0.0, reason="empty summary", success=False)
    source_size = summary.length(source, unit, tokenizer) if source else 0
    if max_source_ratio is not None and source_size and size >= max_source_ratio * source_size:
        reason = f"{size} {unit} is {size / source_size:.0%} of the source: not a summary"
        return MetricResult(score=0.0, reason=reason, success=False)
    value = summary.gate(size, max_length, mode, falloff)
    reason = f"{size} {unit} (limit {max_length}, {mode})"
    return MetricResult(score=value, reason=reason, success=value == 1.0)


@reward_function
@check_options
def length_gate_reward(
    messages: list[Message],
    ground_truth: Any = None,
    max_length: int = 50,
    unit: str = "words",
    mode: str = "hard",
    falloff: float = 1.0,
    tokenizer: Any = None,
    source: str | None = None,
    max_source_ratio: float | None = None,
    **kwargs: Any,
) -> EvaluateResult:
    """1.0 for a non-empty summary within ``max_length``; past it 0 (hard) or less (smooth).

    Args:
        messages: The conversation; its last assistant message is the summary.
        ground_truth: Ignored.
        max_length: Most words or tokens with full score.
        unit: ``"words"`` or ``"tokens"``.
        mode: ``"hard"`` (0 past the limit) or ``"smooth"`` (falls linearly to 0 at
            ``max_length * (1 + falloff)``).
        falloff: How far past the limit (as a share of it) the smooth gate reaches 0.
        tokenizer: For tokens: a callable, a tokenizer object, or a Hugging Face name;
            without one, words and punctuation marks are counted.
        source: The text summarised (default: the user messages), for ``max_source_ratio``.
        max_source_ratio: Score 0 when the summary is at least this share of the source's length.
    """
    try:
        text = response_text(messages)
        origin = source if source is not None else prompt_text(messages)
        metric = _gate_metric(
            text, origin, max_length, unit, mode, falloff, tokenizer, max_source_ratio
        )
    except (RewardInputError, ValueError) as exc:
        return EvaluateResult.invalid(str(exc))
    return EvaluateResult(score=metric.score, reason=metric.reason, metrics={"length": metric})


def _fact_metrics(
    text: str, facts: list[str], match: str, threshold: float
) -> tuple[float, dict[str, MetricResult]]:
    metrics: dict[str, MetricResult] = {}
    found = 0
    for index, fact in enumerate(facts):
        result = summary.match_fact(fact, text, match, threshold)
        found += result.found
        metrics[f"fact_{index}"] = MetricResult(
            score=result.score, reason=f"{match}: {fact[:80]!r}", success=result.found
        )
    return found / len(facts), metrics


@reward_function
@check_options
def key_fact_recall_reward(
    messages: list[Message],
    ground_truth: Any = None,
    match: str = "normalized",
    threshold: float = 0.7,
    **kwargs: Any,
) -> EvaluateResult:
    """The share of key facts the summary states.

    Args:
        messages: The conversation; its last assistant message is the summary.
        ground_truth: The key facts: a list of strings, a bulleted text (one fact per line), or
            a reference summary (one fact per sentence).
        match: ``"exact"`` (verbatim), ``"normalized"`` (case, accents and punctuation
            ignored, whole words), or ``"rouge"`` (ROUGE-L recall of the fact in one sentence).
        threshold: For ``"rouge"``: the recall that counts a fact as stated.
    """
    try:
        facts = summary.facts(ground_truth_value(ground_truth))
        if not facts:
            raise RewardInputError("ground_truth holds no key facts")
        text = response_text(messages)
        recall, metrics = _fact_metrics(text, facts, match, threshold)
    except (RewardInputError, ValueError) as exc:
        return EvaluateResult.invalid(str(exc))
    found = sum(bool(m.success) for m in metrics.values())
    return EvaluateResult(
        score=recall, reason=f"{found}/{len(facts)} key facts stated", metrics=metrics
    )


def _judge(model: str | None, base_url: str, api_key_env: str | None, **extra: Any) -> Any:
    return JudgeConfig(model=model, base_url=base_url, api_key_env=api_key_env, **extra) \
        if model else None  # fmt: skip


@reward_function
@check_options
async def fluency_reward(
    messages: list[Message],
    ground_truth: Any = None,
    scorer: Scorer | None = None,
    model: str | None = None,
    base_url: str = DEFAULT_BASE_URL,
    api_key_env: str | None = DEFAULT_API_KEY_ENV,
    timeout: float = 120.0,
    cache: str | None = None,
    **kwargs: Any,
) -> EvaluateResult:
    """How fluent the summary reads, in 0..1: by ``scorer`` or graded by a model.

    Args:
        messages: The conversation; its last assistant message is judged.
        ground_truth: Ignored.
        scorer: A function of the text giving a score in 0..1 (sync or async), e.g. one built
            on a small language model's perplexity.
        model: Instead of ``scorer``: a model at ``base_url`` (any OpenAI-compatible API) that
            grades fluency from 0 to 10.
        base_url: The API root for ``model``.
        api_key_env: Environment variable holding the API key; None sends none.
        timeout: Seconds per model request.
        cache: Path of an on-disk response cache for the model's grades.
    """
    try:
        text = response_text(messages)
        if not text.strip():
            return EvaluateResult(score=0.0, reason="empty summary")
        config = _judge(model, base_url, api_key_env, timeout=timeout, cache=cache)
        value, reason = await fluency(text, scorer, config)
    except (RewardInputError, ValueError, JudgeError) as exc:
        return EvaluateResult.invalid(str(exc))
    metric = MetricResult(score=value, reason=reason)
    return EvaluateResult(score=value, reason=reason, metrics={"fluency": metric})


def _references(ground_truth: Any) -> tuple[str | None, list[str]]:
    """(reference summary, key facts) from the ground truth."""
    value = ground_truth_value(ground_truth)
    if isinstance(value, Mapping):
        reference = value.get("reference")
        facts = value.get("key_facts") or value.get("facts")
        return reference, summary.facts(facts) if facts else []
    if isinstance(value, str):
        return value, summary.facts(value)
    return None, summary.facts(value)


@reward_function
@check_options
async def summarization_reward(
    messages: list[Message],
    ground_truth: Any = None,
    max_length: int = 50,
    unit: str = "words",
    mode: str = "hard",
    match: str = "rouge",
    threshold: float = 0.7,
    weights: Mapping[str, float] | None = None,
    max_source_ratio: float | None = 0.5,
    source: str | None = None,
    tokenizer: Any = None,
    fluency_scorer: Scorer | None = None,
    fluency_model: str | None = None,
    base_url: str = DEFAULT_BASE_URL,
    api_key_env: str | None = DEFAULT_API_KEY_ENV,
    **kwargs: Any,
) -> EvaluateResult:
    """Length gate x repetition x weighted mean of key-fact recall, ROUGE-L and fluency.

    Args:
        messages: The conversation; the user messages are the source (unless ``source``), the
            last assistant message is the summary.
        ground_truth: A reference summary (its sentences are the key facts), a list of key
            facts, or a dict with ``reference`` and/or ``key_facts``.
        max_length, unit, mode, tokenizer: The length gate (see `length_gate_reward`).
        match, threshold: How facts are found (see `key_fact_recall_reward`).
        weights: Weights of ``facts``, ``rouge`` and ``fluency`` (default: equal, over the
            parts available: ROUGE-L needs a reference, fluency a scorer or model).
        max_source_ratio: A summary this share of the source's length, or more, scores 0.
        source: The text summarised, when it is not the user messages.
        fluency_scorer, fluency_model, base_url, api_key_env: Fluency (see `fluency_reward`).
    """
    try:
        reference, facts = _references(ground_truth)
        if not reference and not facts:
            raise RewardInputError("ground_truth holds neither a reference nor key facts")
        text = response_text(messages)
        origin = source if source is not None else prompt_text(messages)
        gate = _gate_metric(text, origin, max_length, unit, mode, 1.0, tokenizer, max_source_ratio)
        metrics = {"length": gate}
        parts: dict[str, float] = {}
        if facts:
            parts["facts"], found = _fact_metrics(text, facts, match, threshold)
            metrics.update(found)
        if reference:
            parts["rouge"] = summary.rouge_l(reference, text)
        config = _judge(fluency_model, base_url, api_key_env)
        if text.strip() and (fluency_scorer is not None or config is not None):
            parts["fluency"], why = await fluency(text, fluency_scorer, config)
            metrics["fluency"] = MetricResult(score=parts["fluency"], reason=why)
    except (RewardInputError, ValueError, JudgeError) as exc:
        return EvaluateResult.invalid(str(exc))
    chosen = {name: float((weights or {}).get(name, 1.0)) for name in parts}
    total = sum(chosen.values())
    quality = sum(parts[n] * w for n, w in chosen.items()) / total if total > 0 else 0.0
    unique = summary.uniqueness(text)
    for name in ("facts", "rouge"):
        if name in parts:
            metrics[name] = MetricResult(score=parts[name], reason=f"weight {chosen[name]:g}")
    metrics["uniqueness"] = MetricResult(score=unique, reason="share of sentences not repeated")
    score = gate.score * unique * quality
    reason = f"gate {gate.score:.2f} x unique {unique:.2f} x quality {quality:.2f}"
    return EvaluateResult(score=score, reason=reason, metrics=metrics)
