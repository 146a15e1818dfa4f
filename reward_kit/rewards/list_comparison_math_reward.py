"""List answers: all roots, all solutions, several values, compared as math (not as text)."""

from __future__ import annotations

import math
import re
from typing import Any

from reward_kit.models import EvaluateResult, Message
from reward_kit.rewards._common import (
    RewardInputError,
    callable_module,
    ground_truth_value,
    response_text,
)
from reward_kit.rewards._math.answers import (
    add_reward_kit_metrics,
    gold_text,
    percent_question,
    verdict_result,
)
from reward_kit.rewards._math.extract import boxed_contents, last_boxed
from reward_kit.rewards._math.lists import check_list, split_items
from reward_kit.rewards._math.run import DEFAULT_TIMEOUT, describe, run_check
from reward_kit.rewards._options import check_options
from reward_kit.typed_interface import reward_function

__all__ = ["extract_number_list", "list_comparison_math_reward", "parse_number_list_from_string"]

_DELIMITED = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.DOTALL)


def parse_number_list_from_string(text: str) -> list[float] | None:
    """``"1, 2, 3.5"`` as ``[1.0, 2.0, 3.5]``; None unless every item is a plain number.

    Dollar signs and an enclosing pair of brackets or braces (``\\{2, 3\\}``) are ignored.
    """
    body = text.replace("$", "").strip()
    for opening, closing in (("\\{", "\\}"), ("{", "}"), ("[", "]"), ("(", ")")):
        if body.startswith(opening) and body.endswith(closing):
            body = body[len(opening) : -len(closing)]
            break
    numbers = []
    for part in (item.strip() for item in body.split(",")):
        try:
            value = float(part)
        except ValueError:
            return None
        if not math.isfinite(value):
            return None
        numbers.append(value)
    return numbers or None


def extract_number_list(text: str) -> list[list[float]]:
    """The number lists ``text`` states: each ``\\boxed{}``, else each ``$...$``, else the text.

    Only parts that are plain number lists (see :func:`parse_number_list_from_string`) count.
    """
    parts = boxed_contents(text)
    if not parts:
        parts = [a or b for a, b in _DELIMITED.findall(text)] or [text]
    return [found for part in parts if (found := parse_number_list_from_string(part))]


def gold_items(ground_truth: Any) -> list[str]:
    """The reference items: a list of values, or a string such as `"2, 3, 5"`, `\\{2,3\\}` or
    `\\boxed{2, 3}` (a reference solution's last box)."""
    value = ground_truth_value(ground_truth)
    if isinstance(value, (list, tuple)):
        items = [gold_text(item) for item in value]
    else:
        text = gold_text(value)
        items = split_items(last_boxed(text) or text)
    if not items:
        raise RewardInputError("ground_truth holds no items")
    return items


@reward_function
@check_options
async def list_comparison_math_reward(
    messages: list[Message],
    ground_truth: Any = None,
    order_matters: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    **kwargs: Any,
) -> EvaluateResult:
    """Score 1.0 when the response's final list equals the reference list, item by item.

    The list is the final answer (last `\\boxed{}`, `<answer>`, "answer: ...") split at
    top-level commas, semicolons and "and"; without a stated answer, the last line. Items are
    compared with math equivalence (`\\frac12` = `0.5`). Extra or missing items score 0, so
    listing many candidates never pays.

    Args:
        messages: The conversation; the last assistant message is judged.
        ground_truth: The reference items: a list (`[2, 3]`), a string (`"2, 3"`, `"\\{2,3\\}"`),
            or the older message-list form.
        order_matters: Compare as sequences instead of multisets.
        timeout: Seconds the check may take; past it the result is invalid.
        **kwargs: Other dataset columns (ignored).

    Returns:
        Metrics ``answer_extraction``/``answer_accuracy`` (reward-kit also names them
        ``extracted_generated_lists``/``list_comparison``) and ``extracted_original_lists``.
    """
    try:
        response = response_text(messages)
        items = gold_items(ground_truth)
        verdict = await run_check(
            check_list,
            response,
            items,
            timeout=timeout,
            order_matters=order_matters,
            percent_mode=percent_question(messages),
        )
    except RewardInputError as exc:
        return EvaluateResult.invalid(str(exc))
    except Exception as exc:  # a timeout, a dead worker, or a failure inside the check
        return EvaluateResult.invalid(f"list check failed: {describe(exc)}")
    return add_reward_kit_metrics(verdict_result(verdict), "lists", ", ".join(items))


callable_module(__name__, list_comparison_math_reward)
