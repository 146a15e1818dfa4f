"""Multiple-choice answers: which option letter (A-E) did the response commit to?"""

from __future__ import annotations

from typing import Any

from reward_kit.models import EvaluateResult, Message, MetricResult
from reward_kit.rewards._common import RewardInputError, callable_module, response_text
from reward_kit.rewards._math.answers import gold_text
from reward_kit.rewards._math.choice import BOXED_LETTER, TEXT_WRAPPER, choice
from reward_kit.rewards._math.extract import last_boxed
from reward_kit.rewards._options import check_options
from reward_kit.typed_interface import reward_function

__all__ = ["extract_mcq_option", "multiple_choice_math_reward"]


def extract_mcq_option(text: str, options: str = "ABCDE") -> list[tuple[str, str]]:
    """The option the text commits to, as ``[(how it was found, letter)]``, or ``[]``.

    At most one option is returned: a text that names several without choosing ("A or C")
    commits to none.
    """
    letter, method = choice(text, options.upper())
    return [(method, letter)] if letter else []


def gold_letter(ground_truth: Any, letters: str) -> str:
    """The reference option: `"B"`, `"(B)"`, `"B. 42"`, or a reference solution (a string or
    reward-kit's message-list form) that commits to one option as a response would."""
    text = gold_text(ground_truth)
    match = BOXED_LETTER.match(TEXT_WRAPPER.sub(r"\1", last_boxed(text) or text).strip())
    letter = match.group(1).upper() if match else (text.upper() if len(text) == 1 else "")
    if letter not in letters or not letter:
        letter = choice(text, letters)[0] or ""
    if not letter or letter not in letters:
        raise RewardInputError(
            f"ground_truth {text!r} is not one of the option letters {', '.join(letters)}"
        )
    return letter


@reward_function
@check_options
def multiple_choice_math_reward(
    messages: list[Message],
    ground_truth: Any = None,
    options: str = "ABCDE",
    **kwargs: Any,
) -> EvaluateResult:
    """Score 1.0 when the response chooses the reference option letter.

    Args:
        messages: The conversation; the last assistant message is judged.
        ground_truth: The correct option (`"B"`, `"(B)"`, `"B. 42"`), or a reference solution
            that commits to one (`"The answer is (B)."`; reward-kit's message-list form too).
        options: The option letters the question offers (upper case).
        **kwargs: Other dataset columns (ignored).
    """
    letters = options.upper()
    try:
        response = response_text(messages)
        gold = gold_letter(ground_truth, letters)
    except RewardInputError as exc:
        return EvaluateResult.invalid(str(exc))
    letter, method = choice(response, letters)
    correct = letter == gold
    if letter is None:
        reason = f"{method}; expected {gold}"
    else:
        reason = f"chose {letter} ({method}); expected {gold}"
    metrics = {
        "answer_extraction": MetricResult(
            score=1.0 if letter else 0.0, reason=method, success=letter is not None
        ),
        "answer_accuracy": MetricResult(
            score=1.0 if correct else 0.0, reason=reason, success=correct
        ),
        "mcq_comparison": MetricResult(
            score=1.0 if correct else 0.0, reason=reason, success=correct
        ),
        "extracted_original_mcq": MetricResult(score=1.0, reason=f"reference option {gold}"),
    }
    metrics["extracted_generated_mcq"] = metrics["answer_extraction"]
    return EvaluateResult(score=1.0 if correct else 0.0, reason=reason, metrics=metrics)


callable_module(__name__, multiple_choice_math_reward)
