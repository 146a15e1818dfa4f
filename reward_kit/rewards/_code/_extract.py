"""Finding the program in a model's response."""

from __future__ import annotations

import re

from reward_kit.rewards._common import strip_think

_FENCE = re.compile(r"^[ \t]*```[ \t]*([\w+#.-]*)[^\n]*\n(.*?)^[ \t]*```", re.DOTALL | re.MULTILINE)
_TAGS = {
    "python": {"python", "py", "python3", "py3"},
    "javascript": {"javascript", "js", "node", "nodejs", "jsx", "mjs"},
    "cpp": {"cpp", "c++", "cxx", "cc", "hpp"},
    "c": {"c", "h"},
}


def extract_code(response: str, language: str = "python") -> str | None:
    """The code of the last fenced block tagged with ``language`` (else the last fenced block).

    Reasoning inside ``<think>...</think>`` is ignored. Returns None when there is no block.
    """
    found: list[tuple[str, str]] = _FENCE.findall(strip_think(response))
    blocks = [(tag.lower(), body) for tag, body in found]
    if not blocks:
        return None
    wanted = _TAGS.get(language, {language})
    tagged = [body for tag, body in blocks if tag in wanted]
    return tagged[-1] if tagged else blocks[-1][1]


def defines_function(code: str, name: str) -> bool:
    """Whether ``code`` defines a top-level function called ``name``."""
    return re.search(rf"^(async\s+)?def\s+{re.escape(name)}\s*\(", code, re.MULTILINE) is not None
