"""Numbers written as words: five, one hundred and twenty, two thousand."""

from __future__ import annotations

import re

_UNITS = {
    word: value
    for value, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ]
    )
}
_TENS = {
    word: 10 * (index + 2)
    for index, word in enumerate(
        ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
    )
}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9}
_SPLIT = re.compile(r"[\s-]+")
NUMBER_WORD = re.compile(r"\b(?:" + "|".join([*_UNITS, *_TENS, *_SCALES]) + r")\b", re.IGNORECASE)


def words_value(text: str) -> tuple[int, str] | None:
    """The number a phrase starts with, and the words after it ("five apples" -> 5, "apples").

    None when the phrase does not start with a number word.
    """
    words = [w for w in _SPLIT.split(text.strip().lower().rstrip(".")) if w]
    total, current, used = 0, 0, 0
    negative = bool(words) and words[0] in ("minus", "negative")
    for word in words[1:] if negative else words:
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred" and used:
            current = max(current, 1) * 100
        elif word in _SCALES and used:
            total += max(current, 1) * _SCALES[word]
            current = 0
        elif word == "and" and used:
            pass
        else:
            break
        used += 1
    if not used:
        return None
    rest = " ".join((words[1:] if negative else words)[used:])
    value = total + current
    return (-value if negative else value), rest
