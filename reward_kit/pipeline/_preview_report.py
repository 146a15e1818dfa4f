"""The tables ``reward-kit preview`` prints: one row per sample, then one per metric."""

from __future__ import annotations

from typing import Any

from reward_kit.models import EvaluateResult, message_text
from reward_kit.pipeline.preview import PreviewResult

__all__ = ["print_preview"]

_SHOWN_CHARACTERS = 60


def _short(text: str, verbose: bool = False) -> str:
    text = " ".join(text.split())
    if verbose or len(text) <= _SHOWN_CHARACTERS:
        return text
    return text[: _SHOWN_CHARACTERS - 1] + "…"


def _cell(result: EvaluateResult, verbose: bool) -> str:
    from rich.markup import escape

    if not result.is_score_valid:
        error = result.error or result.reason or "not valid"
        return f"[red]ERROR[/red] {escape(_short(error, verbose))}"
    text = f"{result.score:.3f} {escape(_short(result.reason or '', verbose))}"
    if verbose:
        for name, metric in result.metrics.items():
            score = f"{metric.score:.3f}" if metric.is_score_valid else "ERROR"
            text += f"\n  {escape(name)}: {score} {escape(metric.reason or '')}"
    return text


def _response(sample: dict[str, Any]) -> str:
    messages = sample.get("messages")
    last = messages[-1] if isinstance(messages, list) and messages else None
    if not isinstance(last, dict) or last.get("role") != "assistant":
        return "(no response)"
    text = message_text(last)
    if not text and last.get("tool_calls"):
        names = [str(call.get("function", {}).get("name")) for call in last["tool_calls"]]
        return "(calls " + ", ".join(names) + ")"
    return text


def print_preview(result: PreviewResult, *, verbose: bool = False) -> None:
    """Print the per-sample table and the per-metric summary (``verbose``: untruncated)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    samples = Table(title="samples", header_style="bold")
    samples.add_column("#", justify="right")
    samples.add_column("response")
    for name in result.results:
        samples.add_column(name, overflow="fold")
    for index, sample in enumerate(result.samples):
        cells = [_cell(results[index], verbose) for results in result.results.values()]
        response = escape(_short(_response(sample), verbose))
        samples.add_row(str(sample.get("id", index)), response, *cells)
    summary = Table(title="summary", header_style="bold")
    for column in ("metric", "mean", "valid", "errors"):
        summary.add_column(column)
    for name, entry in result.summary().items():
        mean = "-" if entry["mean"] is None else f"{entry['mean']:.4f}"
        errors = f"[red]{entry['invalid']}[/red]" if entry["invalid"] else "0"
        summary.add_row(name, mean, str(entry["valid"]), errors)
    console = Console()
    console.print(samples)
    console.print(summary)
