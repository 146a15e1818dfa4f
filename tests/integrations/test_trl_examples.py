"""The TRL examples run end to end offline (tiny model built in code), as their READMEs say."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_example(relative: str, *args: str) -> str:
    pytest.importorskip("trl")
    completed = subprocess.run(
        [sys.executable, str(ROOT / relative), *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.stdout


@pytest.mark.slow
def test_grpo_example_trains_and_reports_each_reward(tmp_path):
    output = run_example(
        "examples/trl_integration/grpo_example.py", "--steps", "2", "--output-dir", str(tmp_path)
    )
    table = output[output.index("step  math_reward  format_reward") :].splitlines()
    assert [line.split()[0] for line in table[1:]] == ["1", "2"]
    assert "'reward_kit/math_reward/invalid_fraction': '0'" in output
