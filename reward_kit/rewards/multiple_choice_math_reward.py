"""Multiple-choice answers: which option letter (A-E) did the response commit to?"""

from __future__ import annotations

import re
from typing import Any

from reward_kit.models import EvaluateResult, Message, MetricResult
from reward_kit.rewards._common import RewardInputError, response_text
from reward_kit.rewards._math.extract import last_boxed
from reward_kit.rewards.math import gold_text
from reward_kit.typed_interface import reward_function

__all__ = ["multiple_choice_math_reward"]

_AFTER_LETTER = r"(?![A-Za-z0-9])"
# "A" followed by a lower-case word is usually prose ("the answer is A prime"), unless the word
# commonly follows a chosen option ("the answer is A because ...").
_PROSE_AFTER_A = re.compile(r"\s+(?!(?:because|since|as|and|or|which|is|was|with|for)\b)[a-z]")
_BOXED_LETTER = re.compile(r"^\(?\s*([A-Z])\s*\)?(?:[.:)]|\s|$)")
_STATED = re.compile(
    r"\b(?:answer|option|choice)\b(?:\s+is|\s*:)[\s:*]*(?:option\s+|choice\s+)?\(?\**([A-Z])\**\)?"
    + _AFTER_LETTER,
    re.IGNORECASE,
)
_PARENTHESISED = re.compile(r"\(([A-Z])\)")
_LINE_START = re.compile(r"^[ \t*]*\(?([A-Z])[.)][ \t*]*(?:\S.*)?$", re.MULTILINE)
_TEXT_WRAPPER = re.compile(r"\\(?:text|textbf|mathrm|mathbf)\s*\{([^{}]*)\}")


def _stated_letter(match: re.Match[str]) -> str | None:
    # IGNORECASE is for the words; the letter itself must be written upper case ("a" is the
    # article), and an "A" that starts a phrase is not an option.
    letter = match.group(1)
    if not letter.isupper():
        return None
    if letter == "A" and _PROSE_AFTER_A.match(match.string, match.end()):
        return None
    return letter


def choice(text: str, letters: str) -> tuple[str | None, str]:
    """The option letter a response commits to, and how it was found.

    Order: the last `\\boxed{}`; the last "answer is B"/"answer: (B)"; a lone `(B)`; a line
    starting `B.`/`B)`. Weak signals (the last two) count only when they name a single option:
    a response listing several options has not chosen one.
    """
    boxed = last_boxed(text)
    if boxed is not None:
        match = _BOXED_LETTER.match(_TEXT_WRAPPER.sub(r"\1", boxed).strip())
        if match and match.group(1) in letters:
            return match.group(1), "boxed"
    stated = [_stated_letter(m) for m in _STATED.finditer(text)]
    stated = [s for s in stated if s is not None and s in letters]
    if stated:
        return stated[-1], "answer_phrase"
    for pattern, method in ((_PARENTHESISED, "parenthesised"), (_LINE_START, "line_start")):
        found = {m.group(1) for m in pattern.finditer(text)} & set(letters)
        if len(found) == 1:
            return found.pop(), method
        if len(found) > 1:
            return None, f"several options named ({', '.join(sorted(found))}) without a choice"
    return None, "no option letter found"


def gold_letter(ground_truth: Any, letters: str) -> str:
    """The reference option: `"B"`, `"(B)"`, `"B. 42"` or the older message-list form."""
    text = gold_text(ground_truth)
    match = _BOXED_LETTER.match(_TEXT_WRAPPER.sub(r"\1", last_boxed(text) or text).strip())
    letter = match.group(1).upper() if match else (text.upper() if len(text) == 1 else "")
    if not letter or letter not in letters:
        raise RewardInputError(
            f"ground_truth {text!r} is not one of the option letters {', '.join(letters)}"
        )
    return letter


@reward_function
def multiple_choice_math_reward(
    messages: list[Message],
    ground_truth: Any = None,
    options: str = "ABCDE",
    **kwargs: Any,
) -> EvaluateResult:
    """Score 1.0 when the response chooses the reference option letter.

    Args:
        messages: The conversation; the last assistant message is judged.
        ground_truth: The correct option (`"B"`, `"(B)"`, `"B. 42"`), or the older form.
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
    }
    return EvaluateResult(score=1.0 if correct else 0.0, reason=reason, metrics=metrics)
