"""Syntax validation: does the response's code parse? Nothing is run."""

from __future__ import annotations

from typing import Any

from reward_kit.models import EvaluateResult, Message, MetricResult
from reward_kit.rewards._code._helpers import extract_code_blocks
from reward_kit.rewards._code._syntax import python_problem
from reward_kit.rewards._common import RewardInputError, response_text
from reward_kit.rewards._options import check_options
from reward_kit.typed_interface import reward_function

__all__ = ["syntax_validation_reward"]


@reward_function(id="syntax_validation")
@check_options
def syntax_validation_reward(
    messages: list[Message],
    ground_truth: Any = None,
    language: str = "python",
    **kwargs: Any,
) -> EvaluateResult:
    """Score 1.0 when the response's last code block is valid Python syntax, else 0.0.

    reward-kit's ``syntax_validation``. The code is parsed (``ast``), never run, so this says
    nothing about whether it works: use the code execution rewards for that.

    Args:
        messages: The conversation; its last assistant message is judged.
        ground_truth: Not used.
        language: Only ``"python"`` is supported; another language is an invalid result.
    """
    if language.lower() not in ("python", "py", "python3"):
        return EvaluateResult.invalid(f"syntax_validation supports python only, not {language!r}")
    try:
        blocks = extract_code_blocks(response_text(messages), "python")
    except RewardInputError as exc:
        return EvaluateResult.invalid(str(exc))
    if not blocks:
        reason = "no code block in the response"
        return EvaluateResult(
            score=0.0, reason=reason, metrics={"syntax": MetricResult(score=0.0, reason=reason)}
        )
    problem = python_problem(blocks[-1]["code"])
    reason = "the last code block parses as Python" if problem is None else problem
    score = float(problem is None)
    metric = MetricResult(score=score, reason=reason, success=problem is None)
    return EvaluateResult(score=score, reason=reason, metrics={"syntax": metric})
