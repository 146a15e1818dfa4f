"""Reading a run directory: its result rows and its ``summary.json``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reward_kit.errors import RewardKitError
from reward_kit.pipeline.results import iter_results

__all__ = ["RESULTS_FILE", "SUMMARY_FILE", "ReportError", "RunFiles", "find_run"]

RESULTS_FILE = "results.jsonl"
SUMMARY_FILE = "summary.json"


class ReportError(RewardKitError, ValueError):
    """A run directory cannot be reported on (no results file, unreadable summary...)."""


@dataclass(frozen=True)
class RunFiles:
    """Where a run's result rows and summary are."""

    run_dir: Path
    results: Path
    summary: Path

    def rows(self) -> Iterator[dict[str, Any]]:
        """Stream the complete result rows (a partial last line is skipped)."""
        return iter_results(self.results)

    def read_summary(self) -> dict[str, Any] | None:
        """The run's summary, or ``None`` when the run has none (yet)."""
        if not self.summary.is_file():
            return None
        try:
            loaded = json.loads(self.summary.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ReportError(f"{self.summary} is not JSON: {exc.msg}") from None
        return loaded if isinstance(loaded, dict) else None


def find_run(run_dir: str | Path) -> RunFiles:
    """The files of the run in ``run_dir``, which must hold ``results.jsonl``.

    Raises:
        ReportError: ``run_dir`` is not a folder or holds no results file.
    """
    folder = Path(run_dir).expanduser()
    if not folder.is_dir():
        raise ReportError(f"{folder} is not a run directory (no such folder)")
    results = folder / RESULTS_FILE
    if not results.is_file():
        raise ReportError(f"{folder} holds no {RESULTS_FILE}, so it is not a run directory")
    return RunFiles(folder, results, folder / SUMMARY_FILE)
