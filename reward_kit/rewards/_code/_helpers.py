"""reward-kit's documented code helpers, on our sandbox (model code never runs unsandboxed).

The execute helpers return reward-kit's result dict: ``{"success", "output", "error"}``.
"""

from __future__ import annotations

import os
import re
from typing import Any

from reward_kit.execution import ExecutionResult
from reward_kit.rewards._code._compare import partial_output_score
from reward_kit.rewards._code._run import describe, executor_for
from reward_kit.rewards._common import strip_think

_BLOCK = re.compile(r"^[ \t]*```[ \t]*([\w+#.-]*)[^\n]*\n(.*?)^[ \t]*```", re.DOTALL | re.MULTILINE)
_ALIASES = {"py": "python", "python3": "python", "js": "javascript", "node": "javascript"}


def _canonical(language: str) -> str:
    return _ALIASES.get(language.lower(), language.lower())


def extract_code_blocks(text: str, language: str | None = None) -> list[dict[str, str]]:
    """Every fenced code block, as ``{"language", "code"}`` (``"unknown"`` when untagged).

    Args:
        text: the response; ``<think>`` reasoning is skipped.
        language: keep only blocks tagged with this language (and untagged ones).
    """
    blocks = []
    for tag, body in _BLOCK.findall(strip_think(text)):
        found = _canonical(tag) if tag else "unknown"
        if language and tag and found != _canonical(language):
            continue
        blocks.append({"language": found, "code": body.strip()})
    return blocks


def _as_dict(result: ExecutionResult) -> dict[str, Any]:
    if result.ok:
        return {"success": True, "output": result.stdout.strip(), "error": None}
    error = result.error if result.status == "sandbox_error" else describe(result)
    return {"success": False, "output": None, "error": error or result.status}


def execute_python_code(code: str, timeout: float = 5, max_memory_mb: int = 256) -> dict[str, Any]:
    """Run Python code in the local sandbox."""
    return _as_dict(executor_for("local").run(code, "python", None, timeout, max_memory_mb))


def execute_javascript_code(
    code: str, timeout: float = 5, max_memory_mb: int = 256
) -> dict[str, Any]:
    """Run JavaScript (Node.js) code in the local sandbox."""
    return _as_dict(executor_for("local").run(code, "javascript", None, timeout, max_memory_mb))


def execute_code_with_e2b(
    code: str, language: str = "python", timeout: float = 30, api_key: str | None = None
) -> dict[str, Any]:
    """Run code in an E2B sandbox (``api_key`` or ``E2B_API_KEY``)."""
    if not (api_key or os.environ.get("E2B_API_KEY")):
        return {"success": False, "output": None, "error": "no E2B API key: set E2B_API_KEY"}
    try:
        return _as_dict(executor_for("e2b", api_key).run(code, language, None, timeout))
    except (ImportError, ValueError) as error:
        return {"success": False, "output": None, "error": str(error)}


def compare_outputs(actual: str, expected: str) -> float:
    """1.0 for matching output; else structural partial credit, never text similarity.

    See :func:`partial_output_score`: list elements or lines that are exactly right count.
    """
    return partial_output_score(actual, expected)
