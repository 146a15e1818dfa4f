"""What ``reward-kit run`` prints at the end, from its ``summary.json``.

The headline says how many rows got a valid score out of how many, then the mean with its
standard error and 95% interval; the score distribution, the per-metric means (each with its
count) and the first errors with their sample ids follow, so a run that half failed never
reads like a clean one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["format_statistic", "print_run_report"]

_BAR_WIDTH = 30


def format_statistic(statistic: dict[str, Any]) -> str:
    """``mean ± stderr (standard error; 95% CI low..high)``, or ``-`` with nothing to show."""
    mean = statistic.get("mean")
    if mean is None:
        return "-"
    text = f"{mean:.4f}"
    if statistic.get("stderr") is not None:
        low, high = statistic["ci95"]
        method = statistic.get("ci95_method", "normal")
        text += f" ± {statistic['stderr']:.4f} s.e.  (95% CI {low:.4f} .. {high:.4f}, {method})"
    return text


def _distribution_rows(distribution: list[dict[str, Any]]) -> list[tuple[str, str]]:
    most = max((entry["count"] for entry in distribution), default=0)
    rows = []
    for entry in distribution:
        if "score" in entry:
            label = f"{entry['score']:g}"
        else:
            label = f"{entry['from']:.3g} .. {entry['to']:.3g}"
        bar = "█" * round(_BAR_WIDTH * entry["count"] / most) if most else ""
        rows.append((f"  {label}", f"{entry['count']:>5}  {bar}"))
    return rows


def print_run_report(summary: dict[str, Any], run_dir: Path) -> None:
    """Print the headline, the summary table, the first errors and where the files are."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    score = summary["score"]
    errors = summary["errors"]
    failed = errors["generation"] + errors["scoring"]
    table = Table(title="reward-kit run", show_header=True, header_style="bold")
    table.add_column("what")
    table.add_column("value", overflow="fold")
    valid = f"{score['count']}/{summary['rows']} rows scored"
    if failed:
        valid += f" ([red]{failed} could not be[/red])"
    table.add_row("valid", valid)
    table.add_row("score (valid rows)", format_statistic(score))
    if summary.get("score_distribution"):
        table.add_row("score distribution", "")
        for label, value in _distribution_rows(summary["score_distribution"]):
            table.add_row(label, value)
    for name, statistic in summary["metrics"].items():
        table.add_row(f"  {escape(name)} (n={statistic['count']})", format_statistic(statistic))
    for k, entry in summary.get("pass_at_k", {}).items():
        value = "-" if entry["value"] is None else f"{entry['value']:.4f}"
        table.add_row(k, f"{value} over {entry['samples']} samples")
    table.add_row("generation errors", str(errors["generation"]))
    table.add_row("scoring errors", str(errors["scoring"]))
    if summary.get("skipped_rows"):
        table.add_row("skipped dataset rows", str(len(summary["skipped_rows"])))
    usage = summary["token_usage"]
    table.add_row(
        "tokens (prompt / completion)", f"{usage['prompt_tokens']} / {usage['completion_tokens']}"
    )
    table.add_row("cached generations", str(summary["cached_generations"]))
    table.add_row("wall time", f"{summary['this_invocation']['wall_time_s']:.1f} s")
    console = Console()
    console.print(table)
    first = summary.get("first_errors") or []
    if first:
        console.print(f"first {len(first)} of {failed} errors:", style="red")
        for entry in first:
            variant = f" (variant {entry['variant']})" if entry.get("variant") else ""
            console.print(f"  {escape(str(entry['id']))}{variant}: {escape(str(entry['error']))}")
    console.print(f"run directory: {run_dir}", soft_wrap=True)
