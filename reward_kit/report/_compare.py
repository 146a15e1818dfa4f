"""Comparing two runs: samples matched by id and variant, paired deltas, changed samples, errors.

Only rows with a valid score in both runs enter the paired statistics: the mean of the
per-sample differences ``b - a``, its standard error ``s / sqrt(n)`` and a Student-t 95%
interval (the same quantiles as the run summary's), which excludes 0 when the change is
unlikely to be noise. A sample that gained an
error is ``new_error``; one that lost it, ``fixed_error``: neither is counted as a score change.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reward_kit.pipeline.summary import _T_975, _Z_95
from reward_kit.report._load import find_run

__all__ = ["compare_rows", "compare_runs"]

_EPSILON = 1e-9
_TEXT_KEPT = 2000
_STATUS_ORDER = {"regressed": 0, "new_error": 1, "improved": 2, "fixed_error": 3}


@dataclass(frozen=True)
class _Row:
    score: float | None
    error: str | None
    reason: str | None
    response: str
    metrics: dict[str, float]


def _response(messages: Any) -> str:
    """The judged response (the last message's text), cut to a length a page can show."""
    if not isinstance(messages, list) or not messages or not isinstance(messages[-1], dict):
        return ""
    content = messages[-1].get("content")
    if isinstance(content, list):
        content = "\n".join(
            str(part.get("text", part)) if isinstance(part, dict) else str(part) for part in content
        )
    text = "" if content is None else str(content)
    return text if len(text) <= _TEXT_KEPT else text[:_TEXT_KEPT] + "…"


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _compact(row: dict[str, Any]) -> _Row:
    valid = bool(row.get("is_score_valid"))
    score = _number(row.get("score")) if valid else None
    error = row.get("error")
    if score is None and error is None:
        error = "(invalid score, no error given)"
    metrics: dict[str, float] = {}
    for name, metric in (row.get("metrics") or {}).items():
        if isinstance(metric, dict) and metric.get("is_score_valid", True):
            value = _number(metric.get("score"))
            if value is not None:
                metrics[str(name)] = value
    return _Row(
        score=score,
        error=None if error is None else str(error),
        reason=row.get("reason"),
        response=_response(row.get("messages")),
        metrics=metrics,
    )


def _index(rows: Iterable[dict[str, Any]]) -> dict[tuple[str, str], _Row]:
    return {(str(row.get("id")), str(row.get("variant", 0))): _compact(row) for row in rows}


def _paired(pairs: list[tuple[float, float]]) -> dict[str, Any]:
    """Means of both runs and the mean difference (b - a) with its standard error and CI."""
    count = len(pairs)
    result: dict[str, Any] = {"pairs": count, "mean_a": None, "mean_b": None, "delta": None}
    result |= {"stderr": None, "ci95": None}
    if not count:
        return result
    differences = [b - a for a, b in pairs]
    delta = math.fsum(differences) / count
    result["mean_a"] = math.fsum(a for a, _ in pairs) / count
    result["mean_b"] = math.fsum(b for _, b in pairs) / count
    result["delta"] = delta
    if count > 1:
        variance = math.fsum((d - delta) ** 2 for d in differences) / (count - 1)
        stderr = math.sqrt(variance / count)
        quantile = _T_975[count - 2] if count - 1 <= len(_T_975) else _Z_95
        result["stderr"] = stderr
        result["ci95"] = [delta - quantile * stderr, delta + quantile * stderr]
    return result


def _status(a: _Row, b: _Row) -> str:
    if a.score is None and b.score is None:
        return "still_error"
    if b.score is None:
        return "new_error"
    if a.score is None:
        return "fixed_error"
    delta = b.score - a.score
    return "improved" if delta > _EPSILON else "regressed" if delta < -_EPSILON else "unchanged"


def _errors(a: dict[tuple[str, str], _Row], b: dict[tuple[str, str], _Row]) -> dict[str, Any]:
    count_a = Counter(row.error for row in a.values() if row.error is not None)
    count_b = Counter(row.error for row in b.values() if row.error is not None)
    messages = sorted(set(count_a) | set(count_b), key=lambda m: (-count_b[m] - count_a[m], m))
    table = [{"error": m, "count_a": count_a[m], "count_b": count_b[m]} for m in messages]
    return {
        "by_message": table,
        "new": [entry for entry in table if not entry["count_a"]],
        "removed": [entry for entry in table if not entry["count_b"]],
    }


def compare_rows(
    rows_a: Iterable[dict[str, Any]], rows_b: Iterable[dict[str, Any]]
) -> dict[str, Any]:
    """The comparison of two sets of result rows (see :func:`compare_runs`)."""
    a, b = _index(rows_a), _index(rows_b)
    matched = [key for key in a if key in b]
    statuses: Counter[str] = Counter()
    samples: list[dict[str, Any]] = []
    score_pairs: list[tuple[float, float]] = []
    metric_pairs: dict[str, list[tuple[float, float]]] = {}
    for key in matched:
        left, right = a[key], b[key]
        status = _status(left, right)
        statuses[status] += 1
        if left.score is not None and right.score is not None:
            score_pairs.append((left.score, right.score))
        for name in sorted(set(left.metrics) & set(right.metrics)):
            metric_pairs.setdefault(name, []).append((left.metrics[name], right.metrics[name]))
        if status in _STATUS_ORDER:
            delta = None if left.score is None or right.score is None else right.score - left.score
            samples.append(
                {
                    "id": key[0],
                    "variant": key[1],
                    "status": status,
                    "score_a": left.score,
                    "score_b": right.score,
                    "delta": delta,
                    "error_a": left.error,
                    "error_b": right.error,
                    "reason_a": left.reason,
                    "reason_b": right.reason,
                    "response_a": left.response,
                    "response_b": right.response,
                }
            )
    samples.sort(key=lambda sample: (_STATUS_ORDER[sample["status"]], -abs(sample["delta"] or 0)))
    return {
        "rows_a": len(a),
        "rows_b": len(b),
        "matched": len(matched),
        "only_in_a": [list(key) for key in a if key not in b],
        "only_in_b": [list(key) for key in b if key not in a],
        "counts": {name: statuses[name] for name in (*_STATUS_ORDER, "unchanged", "still_error")},
        "score": _paired(score_pairs),
        "metrics": {name: _paired(pairs) for name, pairs in sorted(metric_pairs.items())},
        "errors": _errors(a, b),
        "samples": samples,
    }


def compare_runs(run_a: str | Path, run_b: str | Path) -> dict[str, Any]:
    """Compare run B against run A (deltas are ``b - a``), as JSON-ready data.

    Samples are matched by ``(id, variant)``. The result holds the matched and unmatched
    counts, the paired score and per-metric deltas with 95% intervals, counts of improved,
    regressed, unchanged and newly failing or fixed samples, each changed sample with both
    scores, errors, reasons and responses (regressions first), and error messages with their
    counts in each run (``new``: only in B, ``removed``: only in A).

    Raises:
        ReportError: either folder is not a run directory.
    """
    first, second = find_run(run_a), find_run(run_b)
    diff = compare_rows(first.rows(), second.rows())
    return {"a": str(first.run_dir), "b": str(second.run_dir), **diff}
