"""Progress of a run: a ``rich`` bar on a terminal, periodic plain log lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import Any

__all__ = ["RunProgress"]

_PLAIN_INTERVAL_S = 10.0


class RunProgress:
    """Counts finished rows and shows done/total, rate, ETA, errors and cache hits.

    Args:
        total: Rows the run has in all (including those done before a resume).
        done: Rows already done when this process started.
        mode: ``auto`` (rich on a TTY, plain otherwise), ``rich``, ``plain`` or ``none``.
    """

    def __init__(self, total: int, done: int, mode: str = "auto") -> None:
        self.total = total
        self.done = done
        self.errors = 0
        self.cache_hits = 0
        self._started = time.perf_counter()
        self._new = 0
        self._last_line = self._started
        if mode == "auto":
            mode = "rich" if sys.stderr.isatty() else "plain"
        self.mode = mode
        self._bar: Any = None
        self._task: Any = None
        if mode == "rich":
            self._start_bar()

    def _start_bar(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._bar = Progress(
            TextColumn("[bold]evaluating"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}/s"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("errors {task.fields[errors]}  cached {task.fields[cached]}"),
            console=Console(stderr=True),
            transient=False,
        )
        self._bar.start()
        self._task = self._bar.add_task(
            "run", total=self.total, completed=self.done, rate="-", errors=0, cached=0
        )

    def advance(self, *, error: bool, cached: bool) -> None:
        """Count one finished row."""
        self.done += 1
        self._new += 1
        self.errors += error
        self.cache_hits += cached
        now = time.perf_counter()
        if self._bar is not None:
            self._bar.update(
                self._task,
                completed=self.done,
                rate=f"{self.rate():.1f}",
                errors=self.errors,
                cached=self.cache_hits,
            )
        elif self.mode == "plain" and now - self._last_line >= _PLAIN_INTERVAL_S:
            self._last_line = now
            self._print_line()

    def rate(self) -> float:
        """Rows finished per second by this process."""
        elapsed = time.perf_counter() - self._started
        return self._new / elapsed if elapsed > 0 else 0.0

    def _print_line(self) -> None:
        rate = self.rate()
        remaining = (self.total - self.done) / rate if rate > 0 else float("inf")
        eta = f"{remaining:.0f} s" if remaining != float("inf") else "?"
        print(
            f"reward-kit run: {self.done}/{self.total} done, {rate:.1f}/s, ETA {eta}, "
            f"errors {self.errors}, cached {self.cache_hits}",
            file=sys.stderr,
            flush=True,
        )

    def close(self) -> None:
        """Stop the bar (or print the last plain line)."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
        elif self.mode == "plain" and self._new:
            self._print_line()
