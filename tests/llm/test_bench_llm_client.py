"""The client benchmark still runs end to end (a small, quick configuration; no timing asserted)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_benchmark_runs_and_reports_every_figure():
    quick = ["--requests", "120", "--concurrency", "16", "--latency", "0.05"]
    completed = subprocess.run(
        [sys.executable, "benchmarks/bench_llm_client.py", *quick],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert completed.returncode == 0, completed.stderr
    for label in ["ideal", "x ideal", "client CPU per request", "cached rerun"]:
        assert label in completed.stdout
