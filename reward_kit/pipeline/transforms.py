"""Row transformations for ``dataset.transformations``: each takes a row and returns a row."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["gsm8k_final_answer"]

_GSM8K_ANSWER = re.compile(r"####\s*(.+?)\s*$", re.DOTALL)


def gsm8k_final_answer(row: dict[str, Any]) -> dict[str, Any]:
    """Replace a GSM8K solution in ``ground_truth`` by its final answer (after ``####``).

    The number is kept without thousands separators (``1,200`` becomes ``1200``); a
    ``ground_truth`` without ``####`` is a bad row, reported as such.
    """
    solution = row.get("ground_truth")
    match = _GSM8K_ANSWER.search(solution) if isinstance(solution, str) else None
    if match is None:
        raise ValueError(f"ground_truth has no '#### <answer>' line: {str(solution)[:80]!r}")
    return {**row, "ground_truth": match.group(1).replace(",", "")}
