"""Summary statistics: mean and uncertainty of valid scores, errors apart, unbiased pass@k."""

from __future__ import annotations

import math

import pytest

from reward_kit.pipeline.summary import pass_at_k, score_statistics, summarize


def _row(sample_id, score, *, variant=0, valid=True, generation_error=None, metrics=None):
    return {
        "id": sample_id,
        "variant": variant,
        "score": score,
        "is_score_valid": valid,
        "metrics": metrics or {},
        "generation": {"error": generation_error, "usage": {"prompt_tokens": 3}, "cached": False},
    }


@pytest.mark.parametrize(
    ("n", "c", "k", "expected"),
    [(5, 0, 1, 0.0), (5, 5, 3, 1.0), (4, 1, 1, 0.25), (4, 1, 2, 0.5), (10, 3, 5, 1 - 21 / 252)],
)
def test_pass_at_k_is_the_unbiased_estimator(n, c, k, expected):
    assert pass_at_k(n, c, k) == pytest.approx(expected)


def test_pass_at_k_rejects_impossible_counts():
    with pytest.raises(ValueError, match="1 <= k <= n"):
        pass_at_k(3, 1, 4)


def test_statistics_of_scores():
    scores = [index / 29 for index in range(30)]
    stats = score_statistics(scores)
    assert stats["mean"] == pytest.approx(0.5)
    variance = sum((score - 0.5) ** 2 for score in scores) / 29
    assert stats["stderr"] == pytest.approx(math.sqrt(variance / 30))
    low, high = stats["ci95"]
    assert low == pytest.approx(0.5 - 2.045 * stats["stderr"])  # Student t, 29 degrees of freedom
    assert high == pytest.approx(0.5 + 2.045 * stats["stderr"])
    assert stats["ci95_method"] == "t"
    assert score_statistics([]) == {"count": 0, "mean": None, "stderr": None, "ci95": None}
    assert score_statistics([0.3])["stderr"] is None


def test_interval_of_0_1_scores_is_wilson_and_stays_in_range():
    stats = score_statistics([1.0] * 9 + [0.0])
    low, high = stats["ci95"]
    assert stats["ci95_method"] == "wilson"
    assert 0.0 <= low < 0.9 < high <= 1.0
    assert score_statistics([1.0, 1.0, 1.0])["ci95"][1] == pytest.approx(1.0)


def test_t_interval_is_clipped_to_the_scores_seen():
    stats = score_statistics([0.9, 1.0, 0.95])
    assert stats["ci95"] == [0.9, 1.0]
    assert stats["ci95_method"] == "t, clipped"


def test_distribution_and_first_errors_are_in_the_summary():
    rows = [_row("a", 1.0), _row("b", 0.0), _row("c", 1.0), _row("d", None, valid=False)]
    rows[3]["error"] = "ValueError: boom"
    summary = summarize(rows)
    assert summary["score_distribution"] == [
        {"score": 0.0, "count": 1},
        {"score": 1.0, "count": 2},
    ]
    assert summary["first_errors"] == [{"id": "d", "variant": 0, "error": "ValueError: boom"}]


def test_failures_are_counted_apart_not_averaged_as_zeros():
    rows = [
        _row("a", 1.0),
        _row("b", None, valid=False, generation_error="HTTP 500"),
        _row("c", 0.0, valid=False),
        _row("d", 0.5),
    ]
    summary = summarize(rows)
    assert summary["score"]["mean"] == pytest.approx(0.75)
    assert summary["score"]["count"] == 2
    assert summary["errors"] == {"generation": 1, "scoring": 1}
    assert summary["token_usage"]["prompt_tokens"] == 12
    assert "pass_at_k" not in summary


def test_pass_at_k_over_variants_uses_valid_variants_only():
    rows = [
        _row("a", 1.0, variant=0),
        _row("a", 0.0, variant=1),
        _row("b", 0.0, variant=0),
        _row("b", None, variant=1, valid=False, generation_error="timeout"),
    ]
    summary = summarize(rows, n=2)
    assert summary["pass_at_k"]["pass@1"] == {"value": pytest.approx(0.25), "samples": 2}
    assert summary["pass_at_k"]["pass@2"] == {"value": 1.0, "samples": 1}


def test_metric_means_skip_invalid_metrics():
    rows = [
        _row("a", 1.0, metrics={"m": {"score": 1.0, "is_score_valid": True}}),
        _row("b", 1.0, metrics={"m": {"score": 0.0, "is_score_valid": False}}),
    ]
    assert summarize(rows)["metrics"]["m"]["mean"] == 1.0
