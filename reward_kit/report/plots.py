"""PNG plots of a run for papers and pull requests: score histogram and per-metric means.

Made with matplotlib, from the ``report`` extra (``pip install 'reward-kit[report]'``); the HTML
report never needs it. The plots show the same numbers as the report: the summary's score
distribution and its per-metric means with their 95% intervals.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["HISTOGRAM_FILE", "METRICS_FILE", "write_plots", "write_plots_if_available"]

HISTOGRAM_FILE = "score_histogram.png"
METRICS_FILE = "metric_means.png"
_INSTALL = "pip install 'reward-kit[report]'"


def _labels(distribution: list[dict[str, Any]]) -> list[str]:
    return [
        f"{entry['score']:g}" if "score" in entry else f"{entry['from']:.3g} to {entry['to']:.3g}"
        for entry in distribution
    ]


def write_plots(run_dir: str | Path, summary: dict[str, Any]) -> list[Path]:
    """Write ``score_histogram.png`` and ``metric_means.png`` (when there are metrics).

    Raises:
        ImportError: matplotlib is not installed (with the pip command that installs it).
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(f"PNG plots need matplotlib: {_INSTALL}") from exc

    folder = Path(run_dir)
    written = []
    distribution = summary.get("score_distribution") or []
    figure, axes = plt.subplots(figsize=(6, 3.4), dpi=120)
    axes.bar(range(len(distribution)), [entry["count"] for entry in distribution], color="#2f5fb3")
    axes.set_xticks(range(len(distribution)), _labels(distribution), rotation=30, ha="right")
    axes.set_xlabel("score")
    axes.set_ylabel("rows")
    axes.set_title(f"Score distribution ({summary.get('score', {}).get('count', 0)} valid rows)")
    figure.tight_layout()
    figure.savefig(folder / HISTOGRAM_FILE)
    plt.close(figure)
    written.append(folder / HISTOGRAM_FILE)
    metrics = {
        name: stat
        for name, stat in (summary.get("metrics") or {}).items()
        if stat.get("mean") is not None
    }
    if metrics:
        names = list(metrics)
        means = [float(stat["mean"]) for stat in metrics.values()]
        intervals = [stat.get("ci95") or [stat["mean"]] * 2 for stat in metrics.values()]
        errors = [
            [mean - low for mean, (low, _) in zip(means, intervals, strict=True)],
            [high - mean for mean, (_, high) in zip(means, intervals, strict=True)],
        ]
        figure, axes = plt.subplots(figsize=(6, 0.5 * len(names) + 1.2), dpi=120)
        axes.barh(names, means, xerr=errors, color="#2f5fb3", ecolor="#1d2330", capsize=3)
        axes.invert_yaxis()
        axes.set_xlabel("mean score (95% CI)")
        axes.set_title("Per-metric means")
        figure.tight_layout()
        figure.savefig(folder / METRICS_FILE)
        plt.close(figure)
        written.append(folder / METRICS_FILE)
    return written


def write_plots_if_available(run_dir: str | Path, summary: dict[str, Any]) -> list[Path]:
    """:func:`write_plots` when matplotlib is installed; nothing (an empty list) otherwise."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return []
    return write_plots(run_dir, summary)
