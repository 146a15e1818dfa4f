"""Generic accuracy: extract an answer, compare it with the reference, with pluggable parts."""

from __future__ import annotations

import asyncio
import difflib
import math
import re
from collections.abc import Callable
from typing import Any

from reward_kit.models import EvaluateResult, Message, MetricResult
from reward_kit.rewards._common import RewardInputError, response_text
from reward_kit.rewards._math.answers import gold_text, percent_question, verdict_result
from reward_kit.rewards._math.extract import final_answer
from reward_kit.rewards._math.run import DEFAULT_TIMEOUT, describe, run_check
from reward_kit.rewards._math.worker import check_math
from reward_kit.rewards._options import check_options
from reward_kit.typed_interface import reward_function

__all__ = [
    "accuracy_reward",
    "compare_math_expressions",
    "extract_final_answer",
    "extract_text_answer",
    "fuzzy_accuracy_reward",
    "normalize_text",
]

ExtractFn = Callable[[str], "str | None"]
CompareFn = Callable[[str, str], "bool | float"]


def extract_final_answer(text: str) -> str | None:
    """The default extractor: the math final answer (boxed, `<answer>`, `####`, phrase, number)."""
    answer = final_answer(text)
    return answer.text if answer is not None else None


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_PREDICATE = re.compile(r"\b(?:is|are|was|were|equals)\s+|[:=]\s*", re.IGNORECASE)
_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_SHORT_ANSWER_WORDS = 6


def normalize_text(text: str) -> str:
    """Text reduced for comparing short answers: case, outer punctuation, spacing, articles."""
    text = " ".join(text.casefold().split()).strip(" .,;:!?\"'`*_()[]")
    return _ARTICLE.sub("", text)


def extract_text_answer(text: str) -> str | None:
    """A short text answer: a marked answer, else what the last sentence says something is.

    Marked answers are those of :func:`extract_final_answer` other than a bare number (a
    boxed value, ``<answer>``, "the answer is ..."). Else the last sentence's predicate
    ("The capital of France is Paris." gives "Paris"), else the whole response when it is a
    few words. The answer is compared whole: "Lyon, not Paris" is not "Paris".
    """
    marked = final_answer(text)
    if marked is not None and marked.method != "last_number":
        return marked.text
    sentences = [part.strip() for part in _SENTENCE_END.split(text.strip()) if part.strip()]
    if not sentences:
        return None
    last = sentences[-1]
    predicates = list(_PREDICATE.finditer(last))
    if predicates:
        return last[predicates[-1].end() :].strip() or None
    return text.strip() if len(text.split()) <= _SHORT_ANSWER_WORDS else None


def _is_text(gold: str) -> bool:
    """A reference that is words (a name, a term), not a number or formula."""
    return any(c.isalpha() for c in gold) and not any(c.isdigit() or c in "\\$^" for c in gold)


def _score(value: Any) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)) and math.isfinite(value):
        return float(value)
    raise TypeError(f"compare_fn must return a bool or a finite number, got {value!r}")


def _text_result(answer: str, gold: str) -> EvaluateResult:
    same = normalize_text(answer) == normalize_text(gold)
    reason = f"answer '{answer}' {'matches' if same else 'differs from'} the reference '{gold}'"
    metrics = {
        "answer_extraction": MetricResult(score=1.0, reason=f"extracted '{answer}'", success=True),
        "answer_accuracy": MetricResult(score=float(same), reason=reason, success=same),
    }
    return EvaluateResult(score=float(same), reason=reason, metrics=metrics)


@reward_function
@check_options
async def accuracy_reward(
    messages: list[Message],
    ground_truth: Any = None,
    extract_fn: ExtractFn | None = None,
    compare_fn: CompareFn | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    **kwargs: Any,
) -> EvaluateResult:
    """Score how well the extracted answer matches the reference.

    By default the answer is the math final answer and the comparison is math equivalence (as
    `math_reward`, run in the time-limited worker pool). A reference in words ("Paris") is
    compared as text instead (case, outer punctuation and articles aside) with the answer of
    :func:`extract_text_answer`. Plug in your own parts for other tasks:
    `extract_fn(response) -> answer | None` and `compare_fn(answer, reference) -> bool | float`.
    Nothing is matched by substring: the whole extracted answer is compared.

    Args:
        messages: The conversation; the last assistant message is judged (`<think>` removed).
        ground_truth: The reference answer (a string or number), or the older message-list form.
        extract_fn: Pulls the answer out of the response text; None when there is none.
        compare_fn: Scores an answer against the reference: True/False or a finite number. It
            runs in this process (in a thread), so it need not be picklable.
        timeout: Seconds the default math comparison may take.
        **kwargs: Other dataset columns (ignored).
    """
    try:
        response = response_text(messages)
        gold = gold_text(ground_truth)
    except RewardInputError as exc:
        return EvaluateResult.invalid(str(exc))
    default_extract = extract_text_answer if _is_text(gold) else extract_final_answer
    try:
        answer = (extract_fn or default_extract)(response)
    except Exception as exc:
        return EvaluateResult.invalid(f"extract_fn failed: {type(exc).__name__}: {exc}")
    if answer is None or not str(answer).strip():
        reason = "no answer extracted from the response"
        metrics = {"answer_extraction": MetricResult(score=0.0, reason=reason, success=False)}
        return EvaluateResult(score=0.0, reason=reason, metrics=metrics)
    answer = str(answer).strip()
    if compare_fn is None and _is_text(gold):
        return _text_result(answer, gold)
    if compare_fn is None:
        try:
            verdict = await run_check(
                check_math,
                answer,
                gold,
                timeout=timeout,
                percent_mode=percent_question(messages),
                answer_is_extracted=True,
            )
        except Exception as exc:  # a timeout, a dead worker, or a failure inside the check
            return EvaluateResult.invalid(f"comparison failed: {describe(exc)}")
        return verdict_result(verdict)
    try:
        score = _score(await asyncio.to_thread(compare_fn, answer, gold))
    except Exception as exc:
        return EvaluateResult.invalid(f"compare_fn failed: {type(exc).__name__}: {exc}")
    reason = f"compare_fn scored answer '{answer}' against '{gold}': {score:g}"
    metrics = {
        "answer_extraction": MetricResult(score=1.0, reason=f"extracted '{answer}'", success=True),
        "answer_accuracy": MetricResult(score=score, reason=reason),
    }
    return EvaluateResult(score=score, reason=reason, metrics=metrics)


def compare_math_expressions(pred: str, gt: str) -> float:
    """1.0 when two answers are mathematically equal (as ``math_reward`` decides), else 0.0.

    ``\\frac{1}{2}`` equals ``0.5``; a close but different value is 0.0. The check runs in the
    time-limited worker pool; a comparison that cannot finish counts as not equal.
    """
    messages = [Message(role="assistant", content=pred)]
    result = accuracy_reward(messages, ground_truth=gt, extract_fn=lambda text: text)
    return result.score if result.is_score_valid else 0.0


@reward_function(id="fuzzy_accuracy")
@check_options
async def fuzzy_accuracy_reward(
    messages: list[Message],
    ground_truth: Any = None,
    threshold: float = 0.9,
    **kwargs: Any,
) -> EvaluateResult:
    """reward-kit's ``fuzzy_accuracy``: a text answer within a typo of the reference passes.

    The answer (as :func:`accuracy_reward` reads it) scores 1.0 when its similarity to the
    reference (``difflib`` ratio of the normalised texts) is at least ``threshold``, else 0.0:
    the similarity decides pass or fail, it is never paid out as partial credit. Numbers and
    formulas are compared exactly, as :func:`accuracy_reward` does.

    Args:
        messages: The conversation; the last assistant message is judged.
        ground_truth: The reference answer.
        threshold: Similarity (0..1) at or above which the answer passes.
    """
    try:
        gold = gold_text(ground_truth)
        response = response_text(messages)
    except RewardInputError as exc:
        return EvaluateResult.invalid(str(exc))
    if not _is_text(gold):
        return await accuracy_reward.acall(messages, ground_truth, **kwargs)
    answer = extract_text_answer(response)
    if not answer:
        return EvaluateResult(score=0.0, reason="no answer extracted from the response")
    ratio = difflib.SequenceMatcher(None, normalize_text(answer), normalize_text(gold)).ratio()
    passed = ratio >= threshold
    reason = f"answer '{answer}' is {ratio:.0%} similar to '{gold}' (threshold {threshold:.0%})"
    metric = MetricResult(score=float(passed), reason=reason, success=passed)
    return EvaluateResult(score=float(passed), reason=reason, metrics={"fuzzy_accuracy": metric})
