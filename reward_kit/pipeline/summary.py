"""The summary of a run: mean score with its uncertainty, error counts, pass@k, token usage.

Only valid scores enter the statistics; rows that could not be generated or scored are counted
apart, never averaged in as zeros. The 95% interval is the normal approximation
``mean ± 1.96 · stderr`` with ``stderr = s / sqrt(n)`` (``s`` the sample standard deviation).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from reward_kit.pipeline.results import generation_failed

__all__ = ["pass_at_k", "score_statistics", "summarize"]

_Z_95 = 1.959963984540054


def score_statistics(scores: Sequence[float]) -> dict[str, Any]:
    """Count, mean, standard error and 95% interval of ``scores`` (``None`` where undefined)."""
    count = len(scores)
    if count == 0:
        return {"count": 0, "mean": None, "stderr": None, "ci95": None}
    mean = math.fsum(scores) / count
    if count == 1:
        return {"count": 1, "mean": mean, "stderr": None, "ci95": None}
    variance = math.fsum((score - mean) ** 2 for score in scores) / (count - 1)
    stderr = math.sqrt(variance / count)
    return {
        "count": count,
        "mean": mean,
        "stderr": stderr,
        "ci95": [mean - _Z_95 * stderr, mean + _Z_95 * stderr],
    }


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k for one problem: ``1 - C(n-c, k) / C(n, k)`` (Chen et al., 2021).

    Args:
        n: Responses sampled.
        c: Responses that passed.
        k: Attempts allowed (``k <= n``).
    """
    if not 0 <= c <= n or not 1 <= k <= n:
        raise ValueError(f"need 0 <= c <= n and 1 <= k <= n, got n={n} c={c} k={k}")
    if n - c < k:
        return 1.0
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


def _pass_at_ks(rows: Iterable[dict[str, Any]], n: int, threshold: float) -> dict[str, Any]:
    """Mean pass@k over samples, for k = 1..n, from each sample's valid variants."""
    per_sample: dict[str, list[bool]] = defaultdict(list)
    for row in rows:
        if row.get("is_score_valid") and row.get("score") is not None:
            per_sample[str(row["id"])].append(float(row["score"]) >= threshold)
    result: dict[str, Any] = {}
    for k in range(1, n + 1):
        values = [
            pass_at_k(len(passes), sum(passes), k)
            for passes in per_sample.values()
            if len(passes) >= k
        ]
        result[f"pass@{k}"] = {
            "value": math.fsum(values) / len(values) if values else None,
            "samples": len(values),
        }
    return result


def _metric_means(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    scores: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        for name, metric in (row.get("metrics") or {}).items():
            if isinstance(metric, dict) and metric.get("is_score_valid", True):
                scores[name].append(float(metric["score"]))
    return {name: score_statistics(values) for name, values in sorted(scores.items())}


def _token_usage(rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    usage = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
    for row in rows:
        generation = row.get("generation") or {}
        if generation.get("cached"):
            continue
        for key in usage:
            usage[key] += int((generation.get("usage") or {}).get(key) or 0)
    return usage


def summarize(
    rows: Sequence[dict[str, Any]],
    *,
    n: int = 1,
    pass_threshold: float = 1.0,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``summary.json`` of a run from its result rows.

    Args:
        rows: Rows of ``results.jsonl``.
        n: Variants per sample (``generation.n``); pass@k is reported when it is above 1.
        pass_threshold: A variant passes when its score is at least this.
        extra: More fields to include (wall time, skipped rows, cache hits...).
    """
    valid = [float(row["score"]) for row in rows if row.get("is_score_valid")]
    generation_errors = sum(1 for row in rows if generation_failed(row))
    invalid = sum(1 for row in rows if not row.get("is_score_valid"))
    generations = [row.get("generation") or {} for row in rows]
    summary: dict[str, Any] = {
        "rows": len(rows),
        "samples": len({str(row["id"]) for row in rows}),
        "score": score_statistics(valid),
        "errors": {
            "generation": generation_errors,
            "scoring": invalid - generation_errors,
        },
        "metrics": _metric_means(rows),
        "token_usage": _token_usage(rows),
        "cached_generations": sum(1 for generation in generations if generation.get("cached")),
    }
    if n > 1:
        summary["pass_at_k"] = _pass_at_ks(rows, n, pass_threshold)
        summary["pass_threshold"] = pass_threshold
    summary.update(extra or {})
    return summary
