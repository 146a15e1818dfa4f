"""Result rows: written one line at a time as samples finish, and read back to resume a run.

A row that could not be scored has ``"score": null`` (and so has a metric that could not be
scored): "could not score" is never written as 0. Rows are appended in completion order;
``reward-kit run`` sorts the file by id and variant when the run ends (``output.sort``).

Each line is flushed to the operating system as soon as it is written, so a process killed
with SIGKILL loses at most the line it was writing.

One rule for reading a results file, whoever reads it (resume, sorting, reports, preview
pairs): a last line without its newline is a row still being written, or cut off by a kill,
and is left out (:func:`prepare_resume` also removes it from the file, atomically, before the
run appends again); blank lines are ignored; any other line that is not a result row (not
JSON, not an object with ``id`` and ``variant``) is a :class:`ResultsFileError` naming the
file and line, since no writer leaves one and silently redoing or hiding it would hide
corruption.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reward_kit._atomic import replaced_when_complete
from reward_kit.errors import RewardKitError
from reward_kit.models import EvaluateResult, MetricResult

__all__ = [
    "ResultWriter",
    "ResultsFileError",
    "generation_failed",
    "iter_results",
    "metric_json",
    "prepare_resume",
    "read_results",
    "result_row",
    "sort_results",
    "summary_fields",
]

_SUMMARY_FIELDS = ("id", "variant", "score", "is_score_valid", "metrics", "generation", "error")


class ResultsFileError(RewardKitError, ValueError):
    """A results file holds a line that is not a result row (file and line in the message)."""


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


def generation_failed(row: dict[str, Any]) -> bool:
    """True for a row whose response could not be generated."""
    generation = row.get("generation")
    return isinstance(generation, dict) and generation.get("error") is not None


def summary_fields(row: dict[str, Any]) -> dict[str, Any]:
    """The part of a row the summary needs (not the conversation), to keep in memory."""
    return {key: row.get(key) for key in _SUMMARY_FIELDS}


def _parse(line: bytes, path: Path, number: int) -> dict[str, Any]:
    """The result row on one complete line, or a ``ResultsFileError`` saying where and why."""
    try:
        row = json.loads(line.decode("utf-8-sig"))  # bytes would be sniffed as UTF-16 or 32
    except UnicodeDecodeError as exc:
        problem = f"not UTF-8 (byte {exc.start + 1} is {line[exc.start]:#04x})"
    except json.JSONDecodeError as exc:
        problem = f"not JSON ({exc.msg})"
    except RecursionError:
        problem = "JSON nested too deeply to read"
    else:
        if isinstance(row, dict) and "id" in row and "variant" in row:
            return row
        problem = "not a result row (a JSON object with id and variant)"
    raise ResultsFileError(f"{path}, line {number}: {problem}; repair or delete that line")


def iter_results(path: Path) -> Iterator[dict[str, Any]]:
    """Stream the rows of a results file (none if it does not exist), by the module's rule.

    Raises:
        ResultsFileError: a complete line that is not a result row.
    """
    if not path.exists():
        return
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.endswith(b"\n"):
                return  # the last line, still being written or cut off by a kill
            if line.strip():
                yield _parse(line, path, number)


def read_results(path: Path) -> list[dict[str, Any]]:
    """The rows of a results file, as :func:`iter_results` reads them."""
    return list(iter_results(path))


def _ends_with_partial_line(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return False
    with path.open("rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) != b"\n"


def _rewrite(path: Path, rows: list[dict[str, Any]]) -> None:
    """Replace the file with ``rows`` atomically (a reader sees the old file or the new one)."""
    with replaced_when_complete(path) as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def prepare_resume(path: Path, *, redo_generation_errors: bool) -> list[dict[str, Any]]:
    """Clean up an earlier run's results file and return the rows it keeps (those done).

    A partial last line is removed, and so are repeated rows and, when asked, rows whose
    generation failed (to try them again).

    Raises:
        ResultsFileError: a complete line that is not a result row.
    """
    rows = read_results(path)
    changed = _ends_with_partial_line(path)
    kept: list[dict[str, Any]] = []
    done: set[tuple[str, int]] = set()
    for row in rows:
        key = (str(row["id"]), int(row["variant"]))
        if key in done or (redo_generation_errors and generation_failed(row)):
            changed = True
            continue
        done.add(key)
        kept.append(row)
    if changed:
        _rewrite(path, kept)
    return kept


def sort_results(path: Path, order: list[str]) -> None:
    """Rewrite a results file sorted by ``order`` (sample ids; others after, by id), variant."""
    rank = {sample_id: index for index, sample_id in enumerate(order)}
    rows = read_results(path)

    def key(row: dict[str, Any]) -> tuple[int, str, int]:
        sample_id = str(row["id"])
        return rank.get(sample_id, len(rank)), sample_id, int(row["variant"])

    ordered = sorted(rows, key=key)
    if ordered != rows:
        _rewrite(path, ordered)


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
