"""The report of ``reward-kit preview``: its output rows as result rows, one per sample.

With several rewards (metrics folders), a sample's row is their combination by the one rule
``reward-kit run`` and ``serve`` use (``reward_kit._combine``): the mean score, each reward a
metric under its name with its own metrics as ``name.metric``, invalid if any part is.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reward_kit._combine import combine_results
from reward_kit.models import EvaluateResult
from reward_kit.pipeline.results import result_row
from reward_kit.report._report import render_report, write_html

__all__ = ["preview_result_rows", "write_preview_report"]


def _result(data: dict[str, Any]) -> EvaluateResult:
    """A preview output's result as an ``EvaluateResult`` (``null`` scores read as not valid)."""
    metrics = {
        name: {**metric, "score": metric.get("score") or 0.0}
        for name, metric in (data.get("metrics") or {}).items()
    }
    return EvaluateResult.model_validate(
        {**data, "score": data.get("score") or 0.0, "metrics": metrics}
    )


def preview_result_rows(rows: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Result rows of preview output rows: one per sample, several rewards combined."""
    for row in rows:
        results = {name: _result(result) for name, result in (row.get("results") or {}).items()}
        if not results:
            continue
        yield result_row(
            sample_id=str(row.get("id")),
            variant=0,
            messages=row.get("messages") or [],
            ground_truth=row.get("ground_truth"),
            result=combine_results(results),
            generation=None,
        )


def write_preview_report(rows: list[dict[str, Any]], output: str | Path) -> Path:
    """Write the report of preview output ``rows`` beside ``output``, as ``<output>.html``."""
    path = Path(output).with_suffix(".html")
    page = render_report(preview_result_rows(rows), None, title=f"reward-kit preview · {path.stem}")
    return write_html(path, page)
