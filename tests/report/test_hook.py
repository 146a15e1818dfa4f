"""``reward-kit run`` (the README's first command) and ``preview`` leave report.html and say so."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_readme_run_writes_and_names_the_report(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    done = subprocess.run(
        [
            sys.executable, "-m", "reward_kit", "run",
            "--config-path", "examples/math_example/conf", "--config-name", "run_math_eval",
            "generation.enabled=false", f"hydra.run.dir={run_dir}",
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = run_dir / "report.html"
    assert f"report: {report}" in done.stdout
    page = report.read_text("utf-8")
    assert "bakery-1" in page and 'id="rk-meta"' in page


@pytest.mark.slow
def test_preview_writes_a_report_beside_its_output(tmp_path: Path) -> None:
    samples = tmp_path / "samples.jsonl"
    samples.write_text(
        json.dumps(
            {
                "id": "a",
                "messages": [
                    {"role": "user", "content": "Say hi"},
                    {"role": "assistant", "content": "hi there friend"},
                ],
            }
        )
        + "\n"
    )
    output = tmp_path / "out.jsonl"
    done = subprocess.run(
        [
            sys.executable, "-m", "reward_kit", "preview",
            "--metrics-folders", f"words={ROOT / 'examples/metrics/word_count'}",
            "--samples", str(samples), "--output", str(output),
        ],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"report: {tmp_path / 'out.html'}" in done.stdout
    assert '["a",0,' in (tmp_path / "out.html").read_text("utf-8")  # its table row
