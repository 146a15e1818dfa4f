"""``reward-kit docs``: the pages of docs/, from a checkout and from a built wheel."""

from __future__ import annotations

import os
import pty
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def _docs(*args: str, cwd: Path = ROOT, pythonpath: str | None = None):
    env = {**os.environ, "COLUMNS": "100"}
    if pythonpath is not None:
        env["PYTHONPATH"] = pythonpath
    return subprocess.run(
        [sys.executable, "-m", "reward_kit", "docs", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _page_names(folder: Path) -> set[str]:
    return {path.relative_to(folder).with_suffix("").as_posix() for path in folder.rglob("*.md")}


def test_lists_every_page_with_its_title():
    completed = _docs()
    assert completed.returncode == 0, completed.stderr
    rows = dict(re.split(r"\s{2,}", line, maxsplit=1) for line in completed.stdout.splitlines())
    assert set(rows) == _page_names(DOCS)
    assert rows["rewards/math"] == "Math rewards"
    assert rows["configuration"] == "Configuring reward-kit run"  # backticks dropped
    assert completed.stdout.splitlines()[0].split()[0] == "agent-eval"  # top-level pages first


@pytest.mark.parametrize("name", ["configuration", "rewards/math", "math", "docs/rewards/math.md"])
def test_a_piped_page_is_its_markdown_source(name):
    completed = _docs(name)
    assert completed.returncode == 0, completed.stderr
    expected = (DOCS / "rewards" / "math.md") if "math" in name else DOCS / "configuration.md"
    assert completed.stdout == expected.read_text(encoding="utf-8")


def test_raw_and_path():
    raw = _docs("integrations/trl", "--raw")
    assert raw.stdout == (DOCS / "integrations" / "trl.md").read_text(encoding="utf-8")
    path = _docs("integrations/trl", "--path")
    assert Path(path.stdout.strip()) == DOCS / "integrations" / "trl.md"  # the checkout's docs/
    assert Path(_docs("--path").stdout.strip()) == DOCS


def test_a_terminal_gets_the_page_rendered():
    controller, terminal = pty.openpty()
    with subprocess.Popen(
        [sys.executable, "-m", "reward_kit", "docs", "rewards/math"],
        cwd=ROOT,
        env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "100"},
        stdout=terminal,
        stderr=subprocess.PIPE,
    ) as process:
        os.close(terminal)
        chunks = []
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the pty's other end closed: the process is done writing
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait(timeout=120) == 0, process.stderr.read() if process.stderr else ""
    os.close(controller)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert "\x1b[" in shown  # styled
    assert "Math rewards" in shown
    assert "# Math rewards" not in shown  # the heading is rendered, not shown as Markdown


def test_unknown_page_is_one_line_with_a_suggestion():
    completed = _docs("confguration")
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr.splitlines() == [
        "reward-kit docs: error: no page 'confguration' (did you mean 'configuration'?); "
        "'reward-kit docs' lists the pages"
    ]


def test_search_lists_the_pages_that_mention_a_word():
    completed = _docs("--search", "GRPOTrainer")
    assert completed.returncode == 0, completed.stderr
    names = {line.split()[0] for line in completed.stdout.splitlines()}
    mentioning = {name for name in _page_names(DOCS)
                  if "grpotrainer" in (DOCS / f"{name}.md").read_text().lower()}  # fmt: skip
    assert names == mentioning and "integrations/trl" in names
    missing = _docs("--search", "no-page-has-this-word-xyzzy")
    assert missing.returncode == 1 and missing.stdout == ""
    assert _docs("cli", "--search", "x").returncode == 2


def _build_wheel(tmp_path: Path) -> Path:
    """A wheel built as a user's pip builds one: from the sdist of a copy of the checkout."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "reward_kit", source / "reward_kit", ignore=ignore)
    shutil.copytree(DOCS, source / "docs", ignore=ignore)
    build = [sys.executable, "-c",
             "import sys; from setuptools import build_meta; build_meta.build_sdist(sys.argv[1])",
             str(tmp_path / "sdist")]  # fmt: skip
    subprocess.run(build, cwd=source, check=True, capture_output=True, timeout=300)
    (sdist,) = (tmp_path / "sdist").glob("*.tar.gz")
    pip = [sys.executable, "-m", "pip", "wheel", str(sdist), "--no-deps", "--no-build-isolation",
           "-w", str(tmp_path / "wheel"), "-q"]  # fmt: skip
    subprocess.run(pip, check=True, capture_output=True, timeout=300)
    (wheel,) = (tmp_path / "wheel").glob("*.whl")
    return wheel


def test_a_wheel_carries_the_pages_and_reads_them(tmp_path):
    wheel = _build_wheel(tmp_path)
    prefix = "reward_kit/_docs/pages/"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "site")
    pages = {name[len(prefix) : -3] for name in names if name.startswith(prefix)}
    assert pages == _page_names(DOCS)
    assert not any(name.startswith("docs/") or name.endswith(".png") for name in names)
    site = str(tmp_path / "site")
    path = _docs("rewards/math", "--path", cwd=tmp_path, pythonpath=site)
    assert path.returncode == 0, path.stderr
    assert Path(path.stdout.strip()) == tmp_path / "site" / prefix / "rewards" / "math.md"
    page = _docs("getting-started", cwd=tmp_path, pythonpath=site)
    assert page.stdout == (DOCS / "getting-started.md").read_text(encoding="utf-8")
    assert "rewards/math" in _docs(cwd=tmp_path, pythonpath=site).stdout
