"""The data a report page shows, built from result rows and a summary.

The page gets two JSON blocks. The first, parsed when the page opens, holds the summary, the
metric names, the distinct error messages and one compact array per row:
``[id, variant, score, valid, error_index, generation_failed, reason_snippet, metric_scores]``.
The second holds each row's full JSON as a string, parsed only when a row is opened or the
text search runs, so a 100k-row page opens without building 100k conversations.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from reward_kit.pipeline.results import generation_failed
from reward_kit.pipeline.summary import score_distribution, summarize

__all__ = ["ReportData", "build_report_data"]

_SNIPPET = 160


@dataclass
class ReportData:
    """Everything the report page embeds."""

    meta: dict[str, Any]
    details: list[str] = field(default_factory=list)


def _score(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _metric_score(metric: Any) -> float | None:
    if not isinstance(metric, dict) or metric.get("is_score_valid") is False:
        return None
    return _score(metric.get("score"))


def _snippet(value: Any) -> str:
    text = "" if value is None else " ".join(str(value).split())
    return text if len(text) <= _SNIPPET else text[: _SNIPPET - 1] + "…"


def _metrics(row: dict[str, Any]) -> dict[str, Any]:
    metrics = row.get("metrics")
    return metrics if isinstance(metrics, dict) else {}


def build_report_data(
    rows: Iterable[dict[str, Any]], summary: dict[str, Any] | None, *, title: str
) -> ReportData:
    """The report's data; the summary is computed from the rows when it is ``None``.

    Args:
        rows: Result rows (``results.jsonl``).
        summary: The run's ``summary.json``.
        title: Shown as the page title.
    """
    kept: list[dict[str, Any]] = []
    details: list[str] = []
    errors: dict[str, int] = {}
    metric_names: dict[str, None] = {}
    for row in rows:
        details.append(json.dumps(row, ensure_ascii=False, default=str))
        metric_names.update(dict.fromkeys(_metrics(row)))
        kept.append(row)
    names = sorted(metric_names)
    table = []
    for row in kept:
        metrics = _metrics(row)
        valid = bool(row.get("is_score_valid")) and _score(row.get("score")) is not None
        error = row.get("error")
        error_index = -1
        if error is not None or not valid:
            message = str(error) if error is not None else "(invalid score, no error given)"
            error_index = errors.setdefault(message, len(errors))
        table.append(
            [
                str(row.get("id")),
                row.get("variant", 0),
                _score(row.get("score")) if valid else None,
                int(valid),
                error_index,
                int(generation_failed(row)),
                _snippet(row.get("reason")),
                [_metric_score(metrics.get(name)) for name in names],
            ]
        )
    if summary is None:
        summary = summarize(kept)
    if "score_distribution" not in summary:
        summary = {
            **summary,
            "score_distribution": score_distribution([row[2] for row in table if row[3]]),
        }
    meta = {
        "title": title,
        "summary": summary,
        "metrics": names,
        "errors": list(errors),
        "rows": table,
    }
    return ReportData(meta, details)
