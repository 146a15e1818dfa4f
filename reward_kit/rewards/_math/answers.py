"""Reference answers and verdicts shared by the math-family rewards (math, accuracy, lists,
multiple choice): the gold answer as text, percent questions, and a worker verdict as a result.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

from reward_kit.models import EvaluateResult, Message, MetricResult, message_text
from reward_kit.rewards._common import RewardInputError, ground_truth_value, prompt_text
from reward_kit.rewards._math.worker import Verdict

_PERCENT_QUESTION = re.compile(r"%|\bpercent", re.IGNORECASE)


def gold_text(ground_truth: Any) -> str:
    """The reference answer as text: a string, a number, or the older message-list form.

    Raises:
        RewardInputError: the ground truth is missing or of a type that holds no answer.
    """
    value = ground_truth_value(ground_truth)
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal, Fraction)):
        raise RewardInputError(
            f"ground_truth must be a string or a number, got {type(value).__name__}"
        )
    text = str(value).strip()
    if not text:
        raise RewardInputError("ground_truth is empty")
    return text


def accepted_answers(
    ground_truth: Any,
    expected_answer: Any,
    original_messages: list[Message] | None,
    from_original: bool,
) -> list[str]:
    """The reference answers: ``expected_answer``, else ``ground_truth``, else (when asked)
    the text of ``original_messages``. A list gives several accepted answers.

    Raises:
        RewardInputError: no reference, or one of a type that holds no answer.
    """
    value = expected_answer if expected_answer is not None else ground_truth
    if value is None and from_original and original_messages:
        value = "\n".join(message_text(m) for m in original_messages)
    if isinstance(value, (list, tuple)) and value and not isinstance(value[0], (dict, Message)):
        return [gold_text(item) for item in value]
    return [gold_text(value)]


def percent_question(messages: list[Message]) -> bool:
    """Whether the question asks about percentages (then `25%` and `25` are the same answer)."""
    return bool(_PERCENT_QUESTION.search(prompt_text(messages)))


def verdict_result(verdict: Verdict) -> EvaluateResult:
    """The `EvaluateResult` of a worker verdict."""
    if verdict.error is not None:
        return EvaluateResult.invalid(verdict.error, reason=verdict.reason)
    found = bool(verdict.extracted)
    metrics = {
        "answer_extraction": MetricResult(
            score=1.0 if found else 0.0,
            reason=f"{verdict.method}: '{verdict.extracted}'" if found else "no answer found",
            success=found,
        ),
        "answer_accuracy": MetricResult(
            score=1.0 if verdict.correct else 0.0,
            reason="; ".join(
                [verdict.reason, *(f"{k}={v}" for k, v in sorted(verdict.details.items()))]
            ),
            success=verdict.correct,
        ),
    }
    return EvaluateResult(
        score=1.0 if verdict.correct else 0.0, reason=verdict.reason, metrics=metrics
    )


def add_reward_kit_metrics(result: EvaluateResult, family: str, reference: str) -> EvaluateResult:
    """Add reward-kit's metric names for a valid result: ``extracted_generated_<family>``
    (the extraction), ``extracted_original_<family>`` (the reference) and the comparison."""
    if result.is_score_valid:
        comparison = "list_comparison" if family == "lists" else "answer_comparison"
        result.metrics[f"extracted_generated_{family}"] = result.metrics["answer_extraction"]
        result.metrics[f"extracted_original_{family}"] = MetricResult(
            score=1.0, reason=f"reference: {reference}", success=True
        )
        result.metrics[comparison] = result.metrics["answer_accuracy"]
    return result
