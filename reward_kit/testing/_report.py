"""What a failed quality gate prints: each threshold, then the samples that did not pass."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reward_kit.models import EvaluateResult

__all__ = ["failure_report", "snippet"]

_SHOWN = 10
"""Samples listed in a report; the rest are counted."""
_TEXT = 80
"""Characters of each message in a snippet."""


def _short(text: Any) -> str:
    flat = " ".join(str(text if text is not None else "").split())
    return flat if len(flat) <= _TEXT else flat[: _TEXT - 3] + "..."


def snippet(row: dict[str, Any]) -> str:
    """The last user turn and the response of a row's conversation, each cut short."""
    messages = [m if isinstance(m, dict) else m.model_dump() for m in row.get("messages") or []]
    users = [m for m in messages[:-1] if m.get("role") == "user"]
    parts = [f"user: {_short(users[-1].get('content'))}"] if users else []
    if messages:
        parts.append(f"{messages[-1].get('role')}: {_short(messages[-1].get('content'))}")
    if row.get("ground_truth") is not None:
        parts.append(f"ground truth: {_short(row['ground_truth'])}")
    return " | ".join(parts)


def failure_report(
    checks: Sequence[tuple[bool, str]],
    ids: Sequence[str],
    rows: Sequence[dict[str, Any]],
    results: Sequence[EvaluateResult],
    pass_threshold: float,
    source: str,
) -> str:
    """The text of a failed gate: thresholds, then up to ten failing samples, lowest first."""
    missed = sum(not passed for passed, _ in checks)
    lines = [f"reward quality gate failed: {missed} of {len(checks)} thresholds missed ({source})"]
    lines += [f"  {line}" for _, line in checks]
    failing = [
        index
        for index, result in enumerate(results)
        if not result.is_score_valid or result.score < pass_threshold
    ]
    failing.sort(key=lambda index: (results[index].is_score_valid, results[index].score))
    if failing:
        counts = f"{len(failing)} of {len(rows)}"
        lines.append(f"samples below {pass_threshold:g} or not scored ({counts}):")
    for index in failing[:_SHOWN]:
        result, row = results[index], rows[index]
        if result.is_score_valid:
            verdict = f"score {result.score:g}, reason: {_short(result.reason)}"
        else:
            verdict = f"not scored: {_short(result.error)}"
        lines.append(f"  [{ids[index]}] {verdict}")
        lines.append(f"      {snippet(row)}")
    if len(failing) > _SHOWN:
        lines.append(f"  ... and {len(failing) - _SHOWN} more")
    return "\n".join(lines)
