"""Compare a list of answers (roots, solutions, values) with a reference list, in a worker."""

from __future__ import annotations

import re
from dataclasses import replace

from reward_kit.rewards._math.extract import Answer, final_answer
from reward_kit.rewards._math.parse import Parsed, looks_like_math, parse_answer
from reward_kit.rewards._math.worker import Verdict, compare_answers

_WRAPPERS = (("\\{", "\\}"), ("\\left\\{", "\\right\\}"), ("[", "]"), ("{", "}"))
_WORD_SEPARATOR = re.compile(r"\s+(?:and|or)\s+|\\text\{\s*(?:and|or)\s*\}|\\(?:quad|qquad)")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_OPEN, _CLOSE = "([{", ")]}"


def split_items(text: str) -> list[str]:
    """Split `1, 2 and 3` / `\\{1, 2, 3\\}` / `(1,2), (3,4)` into items at the top level."""
    text = text.strip().rstrip(".").strip()
    for opener, closer in _WRAPPERS:
        if text.startswith(opener) and text.endswith(closer):
            text = text[len(opener) : -len(closer)]
            break
    text = _THOUSANDS.sub("", _WORD_SEPARATOR.sub(",", text))
    items: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(depth - 1, 0)
        if ch in ",;" and depth == 0:
            items.append("".join(current))
            current = []
        else:
            current.append(ch)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


def _response_items(response: str) -> tuple[list[str], str]:
    answer = final_answer(response)
    if answer is None:
        return [], ""
    if answer.method == "last_number":
        # No stated answer: the list is the last line that holds one.
        lines = [line for line in response.splitlines() if line.strip()]
        return split_items(lines[-1] if lines else ""), "last_line"
    return split_items(answer.text), answer.method


def _compare_item(
    candidate: Answer, gold: Answer, parsed: Parsed | None, *, percent_mode: bool
) -> Verdict:
    try:
        return compare_answers(
            candidate,
            gold,
            parsed,
            percent_mode=percent_mode,
            tolerance=None,
            absolute_tolerance=None,
            require_units=False,
        )
    except Exception as exc:  # sympy can fail in many ways on odd input: "could not evaluate"
        error = f"could not compare '{candidate.text}' with '{gold.text}': {type(exc).__name__}"
        return Verdict(False, error, error=error)


def check_list(
    response: str, gold_items: list[str], *, order_matters: bool, percent_mode: bool
) -> Verdict:
    """Whether the response's final list equals `gold_items` (as a multiset unless ordered)."""
    items, method = _response_items(response)
    gold_text = ", ".join(gold_items)
    if not items:
        return Verdict(False, "no list of answers found in the response", gold=gold_text)
    found = Verdict(False, "", ", ".join(items), method, gold_text)
    if len(items) != len(gold_items):
        reason = f"the answer lists {len(items)} item(s), the reference {len(gold_items)}"
        return replace(found, reason=reason)
    golds = [Answer(g, "list_item", looks_like_math(g)) for g in gold_items]
    parsed_golds = [parse_answer(g) for g in golds]
    remaining = [Answer(item, "list_item", looks_like_math(item)) for item in items]
    for index, (gold, parsed) in enumerate(zip(golds, parsed_golds, strict=True)):
        candidates = [remaining[0]] if order_matters else remaining
        match = None
        for candidate in candidates:
            verdict = _compare_item(candidate, gold, parsed, percent_mode=percent_mode)
            if verdict.error is not None:
                return replace(found, reason=verdict.error, error=verdict.error)
            if verdict.correct:
                match = candidate
                break
        if match is None:
            where = f"at position {index + 1}" if order_matters else "anywhere in the answer"
            return replace(found, reason=f"reference item '{gold.text}' not matched {where}")
        remaining.remove(match)
    order = "in order" if order_matters else "in any order"
    reason = f"all {len(items)} items match the reference {order}"
    return replace(found, correct=True, reason=reason)
