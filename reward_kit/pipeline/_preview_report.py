"""The tables ``reward-kit preview`` prints: one row per sample, then the run summary.

Both come from result rows: a reward's column is the row itself when there is one reward, else
the row's metric of that reward's name, next to the combined score.
"""

from __future__ import annotations

from typing import Any

from reward_kit.models import message_text
from reward_kit.pipeline._report import format_statistic
from reward_kit.pipeline.preview import PreviewResult

__all__ = ["print_preview"]

_SHOWN_CHARACTERS = 60


def _short(text: str, verbose: bool = False) -> str:
    text = " ".join(text.split())
    if verbose or len(text) <= _SHOWN_CHARACTERS:
        return text
    return text[: _SHOWN_CHARACTERS - 1] + "…"


def _score_text(result: dict[str, Any], verbose: bool) -> str:
    """A score with its reason, or ERROR with why, from a row or one of its metrics."""
    from rich.markup import escape

    if not result.get("is_score_valid"):
        error = result.get("error") or result.get("reason") or "not valid"
        return f"[red]ERROR[/red] {escape(_short(str(error), verbose))}"
    return f"{result['score']:.3f} {escape(_short(result.get('reason') or '', verbose))}"


def _metric_lines(metrics: dict[str, Any], prefix: str) -> str:
    """The metrics whose names start with ``prefix``, a line each (the prefix left out)."""
    from rich.markup import escape

    text = ""
    for name, metric in metrics.items():
        if not name.startswith(prefix):
            continue
        score = f"{metric['score']:.3f}" if metric.get("is_score_valid") else "ERROR"
        shown = name.removeprefix(prefix)
        text += f"\n  {escape(shown)}: {score} {escape(metric.get('reason') or '')}"
    return text


def _cells(row: dict[str, Any], names: list[str], verbose: bool) -> list[str]:
    """One cell per reward, then the combined score when there are several."""
    metrics = row.get("metrics") or {}
    if len(names) == 1:
        cell = _score_text(row, verbose)
        return [cell + (_metric_lines(metrics, "") if verbose else "")]
    cells = []
    for name in names:
        part = metrics.get(name)
        if part is None:  # no reward scored it: the row says why
            cells.append(_score_text(row, verbose))
            continue
        cell = _score_text(part, verbose)
        cells.append(cell + (_metric_lines(metrics, f"{name}.") if verbose else ""))
    return [*cells, _score_text(row, verbose)]


def _response(row: dict[str, Any]) -> str:
    messages = row.get("messages")
    last = messages[-1] if isinstance(messages, list) and messages else None
    if not isinstance(last, dict) or last.get("role") != "assistant":
        return "(no response)"
    content = last.get("content")
    parts = content if isinstance(content, list) else []
    if not isinstance(content, (str, list, type(None))) or not all(
        isinstance(part, dict) for part in parts
    ):  # a row whose messages failed to load: show what it holds
        return repr(content)
    text = message_text(last)
    if not text and last.get("tool_calls"):
        names = [str(call.get("function", {}).get("name")) for call in last["tool_calls"]]
        return "(calls " + ", ".join(names) + ")"
    return text


def print_preview(result: PreviewResult, *, verbose: bool = False) -> None:
    """Print the per-sample table and the summary (``verbose``: untruncated, with metrics)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    names = result.names
    samples = Table(title="samples", header_style="bold")
    samples.add_column("id")
    samples.add_column("response")
    for name in names:
        samples.add_column(escape(name), overflow="fold")
    if len(names) > 1:
        samples.add_column("score", overflow="fold")
    for row in result.rows:
        response = escape(_short(_response(row), verbose))
        samples.add_row(escape(str(row["id"])), response, *_cells(row, names, verbose))
    summary = result.summary()
    table = Table(title="summary", header_style="bold")
    for column in ("", "valid", "mean"):
        table.add_column(column)
    rows = summary["rows"]
    score = summary["score"]
    errors = summary["errors"]["scoring"]
    valid = f"{score['count']}/{rows}" + (f" ([red]{errors} not scored[/red])" if errors else "")
    table.add_row("score", valid, format_statistic(score))
    for name, statistic in summary["metrics"].items():
        table.add_row(
            f"  {escape(name)}", f"{statistic['count']}/{rows}", format_statistic(statistic)
        )
    console = Console()
    console.print(samples)
    console.print(table)
