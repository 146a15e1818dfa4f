"""The table printed at the end of a run, from its ``summary.json``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["format_statistic", "print_run_report"]


def format_statistic(statistic: dict[str, Any]) -> str:
    """``mean ± stderr (95% CI low..high)`` or ``-`` when there is nothing to show."""
    mean = statistic.get("mean")
    if mean is None:
        return "-"
    text = f"{mean:.4f}"
    if statistic.get("stderr") is not None:
        low, high = statistic["ci95"]
        text += f" ± {statistic['stderr']:.4f}  (95% CI {low:.4f} .. {high:.4f})"
    return text


def print_run_report(summary: dict[str, Any], run_dir: Path) -> None:
    """Print the summary table and where the run's files are."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="reward-kit run", show_header=True, header_style="bold")
    table.add_column("what")
    table.add_column("value", overflow="fold")
    score = summary["score"]
    table.add_row("rows (valid scores)", f"{summary['rows']} ({score['count']})")
    table.add_row("score", format_statistic(score))
    for name, statistic in summary["metrics"].items():
        table.add_row(f"  {name}", format_statistic(statistic))
    for k, entry in summary.get("pass_at_k", {}).items():
        value = "-" if entry["value"] is None else f"{entry['value']:.4f}"
        table.add_row(k, f"{value} over {entry['samples']} samples")
    errors = summary["errors"]
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
    console.print(f"run directory: {run_dir}", soft_wrap=True)
