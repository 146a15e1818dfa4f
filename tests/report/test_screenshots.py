"""docs/viewer.md's screenshots: the generator script makes every one the page shows."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.report._runs import chromium_path

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_script_regenerates_every_screenshot_of_the_docs(tmp_path: Path) -> None:
    chromium = chromium_path()
    if chromium is None:
        pytest.skip("no Chromium found (apt-get install -y chromium); .ci/run installs it")
    pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extra")
    done = subprocess.run(
        [sys.executable, "scripts/report_screenshots.py", "--out", str(tmp_path),
         "--chromium", chromium],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    shown = re.findall(r"\]\(images/(viewer-[\w-]+\.png)\)", (ROOT / "docs/viewer.md").read_text())
    assert shown, "docs/viewer.md shows no screenshots"
    for name in shown:
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG"), name
        assert (ROOT / "docs" / "images" / name).is_file(), name
