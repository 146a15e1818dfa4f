"""Find the final answer in a response, and the reference answer in a ground truth.

Pure string work (linear-time regexes, no sympy), so it is cheap and safe on huge inputs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BOX_START = re.compile(r"\\(?:boxed|fbox)\s*\{")
_ANSWER_TAG = re.compile(r"<answer>(.*?)</answer>", re.DOTALL | re.IGNORECASE)
_GSM8K = re.compile(r"^[ \t]*####[ \t]*(.*?)[ \t]*$", re.MULTILINE)
_ANSWER_PHRASE = re.compile(
    r"\b(?:final\s+answer|answer)\b[ \t*]*(?:is|:|=|would\s+be|will\s+be)[ \t*:]*",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"(?<![\w.])[-\u2212]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?"
    r"(?:\s*(?:\u00d7|\\times|\\cdot)\s*10\s*(?:\^\s*\{?\s*[-+\u2212]?\d+\s*\}?|[\u207b\u207a]?[\u2070\u00b9\u00b2\u00b3\u2074-\u2079]+))?"
    r"(?:[ \t]+\d+\s*/\s*\d+(?![\d/])|\s*/\s*\d+)?(?:\s*(?:\\?%|percent\b))?"
)
# An answer phrase runs to the end of its line or sentence, capped so prose cannot sneak in.
_PHRASE_END = re.compile(r"\n|(?<!\d)\.(?!\d)|\.(?=\s|$)")
_MAX_PHRASE = 200


@dataclass(frozen=True)
class Answer:
    """An extracted answer.

    Attributes:
        text: the answer text as written (without the `\\boxed{}` wrapper).
        method: how it was found: "boxed", "answer_tag", "gsm8k", "answer_phrase",
            "last_number" or "whole" (a bare ground truth).
        latex: whether `text` is LaTeX math (boxed content, a bare LaTeX gold) rather than prose.
    """

    text: str
    method: str
    latex: bool


def matching_braces(text: str) -> dict[int, int]:
    """Map the index of every `{` to the index of its matching `}` (escaped braces skipped).

    One pass with a stack, so finding the extent of many `\\boxed{` in a long text stays linear.
    """
    pairs: dict[int, int] = {}
    stack: list[int] = []
    escaped = False
    for i, ch in enumerate(text):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "{":
            stack.append(i)
        elif ch == "}" and stack:
            pairs[stack.pop()] = i
    return pairs


def boxed_contents(text: str) -> list[str]:
    """Contents of every closed `\\boxed{...}` / `\\fbox{...}` in order, nested braces kept."""
    starts = [m.end() - 1 for m in _BOX_START.finditer(text)]
    if not starts:
        return []
    pairs = matching_braces(text)
    return [text[s + 1 : pairs[s]].strip() for s in starts if s in pairs]


def last_boxed(text: str) -> str | None:
    """Content of the last closed `\\boxed{}`/`\\fbox{}`, or None."""
    contents = boxed_contents(text)
    return contents[-1] if contents else None


_HEDGE = re.compile(
    r"\b(?:between|either|or(?!\s+(?:rather|actually|instead|more\s+precisely))|and|vs\.?|versus)\b"
    r"|\bnot\s+sure\b|\?",
    re.IGNORECASE,
)
_HEDGE_WINDOW = 60


def uncommitted_boxes(text: str) -> bool:
    """Whether the last two boxed answers differ and are offered as alternatives.

    "torn between \\boxed{32} and \\boxed{42}" states no answer; "\\boxed{3} ... so the
    answer is \\boxed{4}" (a correction) does.
    """
    starts = [m.start() for m in _BOX_START.finditer(text)]
    contents = boxed_contents(text)
    if len(starts) < 2 or len(contents) < 2 or contents[-1] == contents[-2]:
        return False
    pairs = matching_braces(text)
    brace = text.index("{", starts[-2])
    if brace not in pairs:
        return False
    between = text[pairs[brace] + 1 : starts[-1]]
    before = text[max(0, starts[-2] - _HEDGE_WINDOW) : starts[-2]]
    return len(between) <= _HEDGE_WINDOW and bool(
        _HEDGE.search(between) or re.search(r"\b(?:between|either)\b", before, re.IGNORECASE)
    )


def _phrase_answer(text: str) -> str | None:
    matches = list(_ANSWER_PHRASE.finditer(text))
    for match in reversed(matches):
        rest = text[match.end() : match.end() + _MAX_PHRASE]
        end = _PHRASE_END.search(rest)
        candidate = (rest[: end.start()] if end else rest).strip().rstrip(".").strip()
        if candidate:
            return candidate
    return None


def last_number(text: str) -> str | None:
    """The last number written in `text` (thousands separators, decimals, a/b, % kept)."""
    found = _NUMBER.findall(text)
    return found[-1] if found else None


def final_answer(text: str) -> Answer | None:
    """The final answer of a response, or None when it states none.

    Order: last `\\boxed{}`/`\\fbox{}`; last `<answer>...</answer>`; GSM8K `#### N`; "final
    answer is ..." / "answer: ..."; the last number. Only ONE answer is returned, so listing
    many candidates never earns credit for any but the last.
    """
    boxed = last_boxed(text)
    if boxed is not None:
        return None if uncommitted_boxes(text) else Answer(boxed, "boxed", latex=True)
    tags = _ANSWER_TAG.findall(text)
    if tags and tags[-1].strip():
        return Answer(tags[-1].strip(), "answer_tag", latex=False)
    hashes = _GSM8K.findall(text)
    if hashes and hashes[-1]:
        return Answer(hashes[-1], "gsm8k", latex=False)
    phrase = _phrase_answer(text)
    if phrase is not None:
        return Answer(phrase, "answer_phrase", latex=False)
    number = last_number(text)
    if number is not None:
        return Answer(number, "last_number", latex=False)
    return None


def reference_answer(gold: str) -> Answer | None:
    """The reference answer held by a gold string.

    A GSM8K solution gives its `#### N`; a worked solution gives its last `\\boxed{}`;
    anything else is the answer itself (bare value or LaTeX, `$...$` delimiters dropped).
    """
    hashes = _GSM8K.findall(gold)
    if hashes and hashes[-1]:
        return Answer(hashes[-1], "gsm8k", latex=False)
    boxed = last_boxed(gold)
    if boxed is not None:
        return Answer(boxed, "boxed", latex=True)
    text = gold.strip()
    for opener, closer in (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]")):
        long_enough = len(text) > len(opener) + len(closer)
        if long_enough and text.startswith(opener) and text.endswith(closer):
            text = text[len(opener) : -len(closer)].strip()
            break
    return Answer(text, "whole", latex=True) if text else None
