"""examples/reward_quality_tests runs as its README says, and fails as it says when the gate
is raised."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "reward_quality_tests"

pytest_plugins = ["pytester"]


def test_the_example_passes_and_a_raised_gate_lists_the_failing_sample(
    pytester: pytest.Pytester,
) -> None:
    for name in ("main.py", "data.jsonl", "test_main.py"):
        shutil.copy(EXAMPLE / name, pytester.path / name)
    pytester.runpytest_subprocess().assert_outcomes(passed=9)
    test_file = pytester.path / "test_main.py"
    test_file.write_text(test_file.read_text().replace("mean >= 0.75", "mean >= 0.9"))
    failed = pytester.runpytest_subprocess()
    failed.assert_outcomes(passed=8, failed=1)
    failed.stdout.fnmatch_lines(
        [
            "*reward quality gate failed: 1 of 3 thresholds missed (5 samples of data.jsonl)",
            "*mean >= 0.9: FAILED, measured 0.8",
            "*?divide? score 0, reason: answered 41, expected 42",
            "*user: What is 84 / 2? | assistant: 84 / 2 = 41 | ground truth: 42",
        ]
    )
