"""The files of a run: result rows, trajectories, summary; and reading them back to resume.

``results.jsonl`` holds the pipeline's result rows (``variant`` is the agent model) plus the
rollout's fields; it is written as each rollout is scored, so a crash loses only rollouts in
flight. ``trajectories/<task_id>.jsonl`` and ``summary.json`` are rebuilt from it.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

from reward_kit._atomic import write_text_atomically
from reward_kit.pipeline.results import read_results
from reward_kit.pipeline.summary import summarize

__all__ = ["agent_summary", "resume_rows", "safe_name", "write_json", "write_trajectories"]


def safe_name(task_id: str) -> str:
    """A task id as a file name (path separators and odd characters replaced)."""
    return "".join(char if char.isalnum() or char in "-_." else "_" for char in task_id) or "_"


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically (a reader never sees half a file)."""
    write_text_atomically(path, json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def resume_rows(path: Path) -> list[dict[str, Any]]:
    """The complete rows of an earlier run's ``results.jsonl``, rewriting it without a torn line."""
    rows = read_results(path)
    seen: set[tuple[str, int]] = set()
    kept = []
    for row in rows:
        key = (str(row["id"]), int(row.get("rollout_index", 0)))
        if key not in seen:
            seen.add(key)
            kept.append(row)
    if path.exists():
        text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in kept)
        if text.encode() != path.read_bytes():
            write_text_atomically(path, text)
    return kept


def _task_stats(rows: list[dict[str, Any]]) -> dict[str, Any]:
    scores = [float(row["score"]) for row in rows if row.get("is_score_valid")]
    mean = math.fsum(scores) / len(scores) if scores else None
    std = (
        math.sqrt(math.fsum((s - mean) ** 2 for s in scores) / len(scores))
        if scores and mean is not None
        else None
    )
    return {
        "n_rollouts": len(rows),
        "mean": mean,
        "std": std,
        "min": min(scores) if scores else None,
        "max": max(scores) if scores else None,
        "success_rate": sum(1 for row in rows if row.get("task_achieved")) / len(rows),
        "errors": sum(1 for row in rows if not row.get("is_score_valid")),
    }


def by_task(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Rows grouped by task id, each group ordered by rollout index."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[str(row["id"])].append(row)
    return {
        task: sorted(group, key=lambda r: int(r["rollout_index"])) for task, group in groups.items()
    }


def agent_summary(rows: list[dict[str, Any]], extra: dict[str, Any]) -> dict[str, Any]:
    """The pipeline's summary plus ``success_rate``, ``per_task`` and tool-error counts.

    ``success_rate`` is the share of rollouts whose ``end_goal_sql`` held (``task_achieved``),
    not the share that produced a score.
    """
    groups = by_task(rows)
    n = max((len(group) for group in groups.values()), default=1)
    tool_errors: dict[str, int] = defaultdict(int)
    for row in rows:
        for call in row.get("tool_calls") or []:
            if not call.get("ok"):
                tool_errors[str(call.get("name"))] += 1
    fields = {
        "success_rate": sum(1 for row in rows if row.get("task_achieved")) / len(rows)
        if rows
        else None,
        "per_task": {task: _task_stats(group) for task, group in groups.items()},
        "tool_errors": {"total": sum(tool_errors.values()), "by_tool": dict(tool_errors)},
        "stop_reasons": _count(row.get("stop_reason") for row in rows),
        **extra,
    }
    summary = summarize(rows, n=n, extra=fields)
    if n <= 1:
        summary["pass_at_k"] = {}
    return summary


def _count(values: Any) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for value in values:
        counts[str(value)] += 1
    return dict(counts)


def write_trajectories(folder: Path, task_id: str, rows: list[dict[str, Any]]) -> None:
    """``trajectories/<task_id>.jsonl``: a ``summary`` line, then one ``individual_result`` each."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [{"type": "summary", "task_id": task_id, **_task_stats(rows)}]
    lines += [{"type": "individual_result", **row} for row in rows]
    text = "".join(json.dumps(line, ensure_ascii=False, default=str) + "\n" for line in lines)
    write_text_atomically(folder / f"{safe_name(task_id)}.jsonl", text)
