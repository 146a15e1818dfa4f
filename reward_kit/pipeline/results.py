"""Result rows: written one line at a time as samples finish, and read back to resume a run.

A row that could not be scored has ``"score": null`` (and so has a metric that could not be
scored): "could not score" is never written as 0. Rows are appended in completion order;
``reward-kit run`` sorts the file by id and variant when the run ends (``output.sort``).

Each line is flushed to the operating system as soon as it is written, so a process killed
with SIGKILL loses at most the line it was writing. On resume, :func:`prepare_resume` drops
such a partial last line (and, when asked, rows whose generation failed, to try them again),
rewriting the file atomically, and returns the ``(id, variant)`` pairs that are done.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reward_kit.models import EvaluateResult, MetricResult

__all__ = [
    "ResultWriter",
    "generation_failed",
    "iter_results",
    "metric_json",
    "prepare_resume",
    "read_results",
    "result_json",
    "result_row",
    "sort_results",
    "summary_fields",
]

_SUMMARY_FIELDS = ("id", "variant", "score", "is_score_valid", "metrics", "generation", "error")

logger = logging.getLogger(__name__)


def result_row(
    *,
    sample_id: str,
    variant: int,
    messages: list[dict[str, Any]],
    ground_truth: Any,
    result: EvaluateResult | None,
    generation: dict[str, Any] | None,
) -> dict[str, Any]:
    """A row of ``results.jsonl``; ``result`` is ``None`` when generation failed."""
    row: dict[str, Any] = {"id": sample_id, "variant": variant, "messages": messages}
    row["ground_truth"] = ground_truth
    if result is None:
        error = (generation or {}).get("error") or "no response"
        row |= {"score": None, "is_score_valid": False, "reason": None, "metrics": {}}
        row["error"] = f"generation failed: {error}"
    else:
        row["score"] = result.score if result.is_score_valid else None
        row["is_score_valid"] = result.is_score_valid
        row["reason"] = result.reason
        row["metrics"] = {name: metric_json(metric) for name, metric in result.metrics.items()}
        row["error"] = result.error
        if result.step_outputs:
            row["step_outputs"] = [step.model_dump(mode="json") for step in result.step_outputs]
    row["generation"] = generation
    return row


def metric_json(metric: MetricResult) -> dict[str, Any]:
    """A metric as JSON; one that could not be scored has ``"score": null``, never 0."""
    data = metric.model_dump(mode="json")
    if not metric.is_score_valid:
        data["score"] = None
    return data


def result_json(result: EvaluateResult) -> dict[str, Any]:
    """An ``EvaluateResult`` as JSON with ``"score": null`` wherever it could not score."""
    data = result.model_dump(mode="json")
    if not result.is_score_valid:
        data["score"] = None
    data["metrics"] = {name: metric_json(metric) for name, metric in result.metrics.items()}
    return data


def generation_failed(row: dict[str, Any]) -> bool:
    """True for a row whose response could not be generated."""
    generation = row.get("generation")
    return isinstance(generation, dict) and generation.get("error") is not None


def summary_fields(row: dict[str, Any]) -> dict[str, Any]:
    """The part of a row the summary needs (not the conversation), to keep in memory."""
    return {key: row.get(key) for key in _SUMMARY_FIELDS}


def iter_results(path: Path) -> Iterator[dict[str, Any]]:
    """Stream the complete rows of a results file (partial or corrupt lines are skipped)."""
    if not path.exists():
        return
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.endswith("\n") or not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(row, dict) and "id" in row and "variant" in row:
                yield row


def read_results(path: Path) -> list[dict[str, Any]]:
    """The complete rows of a results file (a partial or corrupt line is left out)."""
    rows, _ = _read(path)
    return rows


def _read(path: Path) -> tuple[list[dict[str, Any]], bool]:
    """Rows of the file, and whether anything had to be left out."""
    if not path.exists():
        return [], False
    data = path.read_bytes()
    lines = data.split(b"\n")
    dropped = not data.endswith(b"\n") and bool(data)
    if dropped:
        lines.pop()  # the line a killed process was writing
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            logger.warning("%s: line %d is not JSON; it will be redone", path, number)
            dropped = True
            continue
        if not isinstance(row, dict) or "id" not in row or "variant" not in row:
            logger.warning("%s: line %d is not a result row; it will be redone", path, number)
            dropped = True
            continue
        rows.append(row)
    return rows, dropped


def prepare_resume(path: Path, *, redo_generation_errors: bool) -> list[dict[str, Any]]:
    """Clean up an earlier run's results file and return the rows it keeps (those done)."""
    rows, dropped = _read(path)
    kept: list[dict[str, Any]] = []
    done: set[tuple[str, int]] = set()
    for row in rows:
        key = (str(row["id"]), int(row["variant"]))
        if key in done or (redo_generation_errors and generation_failed(row)):
            dropped = True
            continue
        done.add(key)
        kept.append(row)
    if dropped:
        temporary = path.with_name(path.name + ".tmp")
        with temporary.open("w", encoding="utf-8") as handle:
            for row in kept:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    return kept


def sort_results(path: Path, order: list[str]) -> None:
    """Rewrite a results file sorted by ``order`` (sample ids; others after, by id), variant."""
    rank = {sample_id: index for index, sample_id in enumerate(order)}
    rows = read_results(path)

    def key(row: dict[str, Any]) -> tuple[int, str, int]:
        sample_id = str(row["id"])
        return rank.get(sample_id, len(rank)), sample_id, int(row["variant"])

    ordered = sorted(rows, key=key)
    if ordered == rows:
        return
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        for row in ordered:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


class ResultWriter:
    """Appends result rows to a JSONL file, each handed to the OS as soon as it is written.

    Rows go straight to the file descriptor (no user-space buffer), so a line is either fully
    with the operating system or, if the process is killed mid-write, a partial last line
    that :func:`prepare_resume` drops.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd: int | None = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def write(self, row: dict[str, Any]) -> None:
        """Write one row as one line."""
        self.write_many([row])

    def write_many(self, rows: list[dict[str, Any]]) -> None:
        """Write rows as lines, all handed to the OS at once (one system call, not one each)."""
        if not rows:
            return
        if self._fd is None:
            raise ValueError(f"{self.path} is closed")
        text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        data = memoryview(text.encode("utf-8"))
        while data:
            written = os.write(self._fd, data)
            data = data[written:]

    def close(self) -> None:
        """Close the file, syncing it to disk."""
        if self._fd is not None:
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> ResultWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
