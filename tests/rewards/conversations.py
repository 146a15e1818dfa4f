"""Building conversations for reward tests."""

from __future__ import annotations

from typing import Any


def reply(content: Any, prompt: str = "Solve the problem.", **fields: Any) -> list[dict[str, Any]]:
    """A user prompt followed by an assistant message with ``content`` (and extra fields)."""
    return [
        {"role": "user", "content": prompt},
        {"role": "assistant", "content": content, **fields},
    ]


MALFORMED_CONVERSATIONS = {
    "empty": [],
    "no assistant turn": [{"role": "user", "content": "hi"}],
    "only a system prompt": [{"role": "system", "content": "be brief"}],
}
"""Conversations no reward can judge: each must give an invalid result, not a score."""


def answer(code: str, language: str = "python", prefix: str = "") -> list[dict[str, str]]:
    """A request for a program and a reply holding ``code`` in a fenced block."""
    return [
        {"role": "user", "content": "Write the program."},
        {"role": "assistant", "content": f"{prefix}Here it is:\n```{language}\n{code}\n```\n"},
    ]


SUM = "a, b = map(int, input().split())\nprint(a + b)"
"""A program that adds two numbers read from stdin; ``IO_TESTS`` are its passing cases."""
IO_TESTS = [
    {"input": "1 2\n", "expected_output": "3\n"},
    {"input": "10 -4\n", "expected_output": "6"},
    {"input": "0 0\n", "expected_output": "0\r\n"},
]
