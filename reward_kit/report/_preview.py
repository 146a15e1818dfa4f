"""The report of ``reward-kit preview``: its output rows as result rows, one per reward."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reward_kit.report._report import render_report, write_html

__all__ = ["preview_result_rows", "write_preview_report"]


def preview_result_rows(rows: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Result rows of preview output rows: the variant is the reward's name when there are
    several rewards (so a report or a comparison tells them apart), else 0."""
    for row in rows:
        results = row.get("results") or {}
        for name, result in results.items():
            valid = bool(result.get("is_score_valid"))
            yield {
                "id": row.get("id"),
                "variant": name if len(results) > 1 else 0,
                "messages": row.get("messages"),
                "ground_truth": row.get("ground_truth"),
                "score": result.get("score") if valid else None,
                "is_score_valid": valid,
                "reason": result.get("reason"),
                "metrics": result.get("metrics") or {},
                "error": result.get("error"),
                "generation": None,
            }


def write_preview_report(rows: list[dict[str, Any]], output: str | Path) -> Path:
    """Write the report of preview output ``rows`` beside ``output``, as ``<output>.html``."""
    path = Path(output).with_suffix(".html")
    page = render_report(preview_result_rows(rows), None, title=f"reward-kit preview · {path.stem}")
    return write_html(path, page)
