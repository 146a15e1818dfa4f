"""The Python examples in the docs must run: each page's ```python blocks, as one script."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
REQUIRES = re.compile(r"<!-- docs-test requires: (.*?) -->")
"""A page whose examples need an optional extra names its modules: skipped without them."""


def _script(page: Path) -> str:
    return "\n\n".join(BLOCK.findall(page.read_text()))


@pytest.mark.parametrize(
    "page",
    [page for page in PAGES if _script(page)],
    ids=lambda page: str(page.relative_to(ROOT)),
)
def test_python_examples_in_the_docs_run(page: Path, tmp_path: Path) -> None:
    for modules in REQUIRES.findall(page.read_text()):
        for module in modules.split(","):
            pytest.importorskip(module.strip())
    script = tmp_path / f"{page.stem.replace('-', '_')}_example.py"
    script.write_text(_script(page))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    completed = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, f"{page}:\n{completed.stdout}\n{completed.stderr}"
