"""The summary of a run: mean score with its uncertainty, error counts, pass@k, token usage.

Only valid scores enter the statistics; rows that could not be generated or scored are counted
apart, never averaged in as zeros. ``stderr`` is the standard error ``s / sqrt(n)`` (``s`` the
sample standard deviation). The 95% interval never leaves the range the scores can take: for
scores that are all 0 or 1 it is the Wilson score interval (``ci95_method: wilson``); otherwise
a Student-t interval, clipped to the lowest and highest score seen when it would pass them
(``t, clipped``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from reward_kit.pipeline.results import generation_failed

__all__ = ["pass_at_k", "score_distribution", "score_statistics", "summarize"]

_Z_95 = 1.959963984540054


_T_975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
          2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
          2.060, 2.056, 2.052, 2.048, 2.045, 2.042)  # fmt: skip
"""97.5% quantiles of Student's t for 1..30 degrees of freedom (the normal one beyond)."""
_ERRORS_KEPT = 5


def _wilson(successes: int, count: int) -> list[float]:
    """The Wilson score 95% interval of a proportion: inside [0, 1] by construction."""
    share = successes / count
    z2 = _Z_95 * _Z_95
    centre = (share + z2 / (2 * count)) / (1 + z2 / count)
    half = _Z_95 * math.sqrt(share * (1 - share) / count + z2 / (4 * count * count))
    half /= 1 + z2 / count
    return [max(0.0, centre - half), min(1.0, centre + half)]


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
    statistics: dict[str, Any] = {"count": count, "mean": mean, "stderr": stderr}
    if all(score in (0.0, 1.0) for score in scores):
        statistics["ci95"] = _wilson(sum(1 for score in scores if score == 1.0), count)
        statistics["ci95_method"] = "wilson"
        return statistics
    quantile = _T_975[count - 2] if count - 1 <= len(_T_975) else _Z_95
    low, high = mean - quantile * stderr, mean + quantile * stderr
    clipped = low < min(scores) or high > max(scores)
    statistics["ci95"] = [max(low, min(scores)), min(high, max(scores))]
    statistics["ci95_method"] = "t, clipped" if clipped else "t"
    return statistics


def score_distribution(scores: Sequence[float]) -> list[dict[str, Any]]:
    """How many valid scores fall where: per distinct value when there are few, else 10 bins."""
    if not scores:
        return []
    distinct = sorted(set(scores))
    if len(distinct) <= 10:
        return [{"score": value, "count": scores.count(value)} for value in distinct]
    low, high = distinct[0], distinct[-1]
    width = (high - low) / 10
    counts = [0] * 10
    for score in scores:
        counts[min(int((score - low) / width), 9)] += 1
    return [
        {"from": low + index * width, "to": low + (index + 1) * width, "count": count}
        for index, count in enumerate(counts)
    ]


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
            if not isinstance(metric, dict) or metric.get("score") is None:
                continue  # a metric that could not be scored
            if metric.get("is_score_valid", True):
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
        "score_distribution": score_distribution(valid),
        "errors": {
            "generation": generation_errors,
            "scoring": invalid - generation_errors,
        },
        "first_errors": [
            {"id": row["id"], "variant": row.get("variant", 0), "error": row.get("error")}
            for row in rows
            if not row.get("is_score_valid")
        ][:_ERRORS_KEPT],
        "metrics": _metric_means(rows),
        "token_usage": _token_usage(rows),
        "cached_generations": sum(1 for generation in generations if generation.get("cached")),
    }
    if n > 1:
        summary["pass_at_k"] = _pass_at_ks(rows, n, pass_threshold)
        summary["pass_threshold"] = pass_threshold
    summary.update(extra or {})
    return summary
