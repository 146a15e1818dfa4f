"""Which option letter (A-E...) a response commits to: shared by the multiple-choice reward and
by `math_reward` when the reference is a letter."""

from __future__ import annotations

import re

from reward_kit.rewards._math.extract import last_boxed

_AFTER_LETTER = r"(?![A-Za-z0-9])"
# "A" followed by a lower-case word is usually prose ("the answer is A prime"), unless the word
# commonly follows a chosen option ("the answer is A because ...").
_PROSE_AFTER_A = re.compile(r"\s+(?!(?:because|since|as|and|or|which|is|was|with|for)\b)[a-z]")
BOXED_LETTER = re.compile(r"^\(?\s*([A-Z])\s*\)?(?:[.:)]|\s|$)")
_STATED = re.compile(
    r"\b(?:answer|option|choice)\b(?:\s+is|\s*:)[\s:*]*(?:option\s+|choice\s+)?\(?\**([A-Z])\**\)?"
    + _AFTER_LETTER,
    re.IGNORECASE,
)
_PARENTHESISED = re.compile(r"\(([A-Z])\)")
_LINE_START = re.compile(r"^[ \t*]*\(?([A-Z])[.)][ \t*]*(?:\S.*)?$", re.MULTILINE)
# A final line that is only an option: "B.", "**(C)**", "Answer: D".
_LAST_LINE = re.compile(r"^[\s*#:]*(?:(?i:answer)\s*[:\-]?\s*)?\**\(?([A-Z])\)?\**[.)]?\**\s*$")
_OPTION_NAMED = re.compile(r"\b(?i:option|choice)\s+\(?([A-Z])\)?" + _AFTER_LETTER)
TEXT_WRAPPER = re.compile(r"\\(?:text|textbf|mathrm|mathbf)\s*\{([^{}]*)\}")


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

    Order: the last `\\boxed{}`; the last "answer is B"/"answer: (B)"; a last line that is only
    an option (`B.`); then weak signals ("option B", a lone `(B)`, a line starting `B.`), which
    count only when they name a single option: a response listing several has not chosen one.
    """
    boxed = last_boxed(text)
    if boxed is not None:
        match = BOXED_LETTER.match(TEXT_WRAPPER.sub(r"\1", boxed).strip())
        if match and match.group(1) in letters:
            return match.group(1), "boxed"
    stated = [_stated_letter(m) for m in _STATED.finditer(text)]
    stated = [s for s in stated if s is not None and s in letters]
    if stated:
        return stated[-1], "answer_phrase"
    last_line = _LAST_LINE.match(text.strip().rsplit("\n", 1)[-1])
    if last_line and last_line.group(1) in letters:
        return last_line.group(1), "last_line"
    weak = (
        (_OPTION_NAMED, "option_named"),
        (_PARENTHESISED, "parenthesised"),
        (_LINE_START, "line_start"),
    )
    for pattern, method in weak:
        found = {m.group(1) for m in pattern.finditer(text)} & set(letters)
        if len(found) == 1:
            return found.pop(), method
        if len(found) > 1:
            return None, f"several options named ({', '.join(sorted(found))}) without a choice"
    return None, "no option letter found"
