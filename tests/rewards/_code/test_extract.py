"""Finding the program in a response."""

from __future__ import annotations

from reward_kit.rewards._code._extract import defines_function, extract_code


def test_last_block_of_the_language_wins() -> None:
    text = "```python\nfirst\n```\n```python\nsecond\n```\n```bash\nls\n```"
    assert extract_code(text) == "second\n"
    assert extract_code(text, "bash") == "ls\n"


def test_untagged_or_other_block_as_fallback_and_none_without_blocks() -> None:
    assert extract_code("```\nx = 1\n```") == "x = 1\n"
    assert extract_code("```js\nlet a\n```", "javascript") == "let a\n"
    assert extract_code("no code here") is None


def test_thinking_is_ignored() -> None:
    assert extract_code("<think>```python\nbad\n```</think>") is None
    assert extract_code("<think>```python\nbad\n```</think>```python\ngood\n```") == "good\n"


def test_defines_function() -> None:
    assert defines_function("def f(x):\n    pass", "f")
    assert defines_function("async def f():\n    pass", "f")
    assert not defines_function("    def f(x): pass", "f")
    assert not defines_function("def ff(x): pass", "f")
