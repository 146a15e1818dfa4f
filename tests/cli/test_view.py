"""``reward-kit view``: a real server process on 127.0.0.1, fetched over HTTP."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.report._runs import make_run, sample_rows


@pytest.fixture
def serve() -> Iterator[Any]:
    """Start ``reward-kit view ARGS --no-open --port 0``; yields its URL; stops it after."""
    started: list[subprocess.Popen[str]] = []

    def start(*args: str) -> str:
        process = subprocess.Popen(
            [sys.executable, "-m", "reward_kit", "view", *args, "--no-open", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert match, line + (process.stderr.read() if process.stderr else "")
        return match.group(0)

    yield start
    for process in started:
        process.terminate()
        process.communicate(timeout=10)  # also closes its pipes


def test_serves_one_runs_report(serve: Any, tmp_path: Path) -> None:
    url = serve(str(make_run(tmp_path / "run", sample_rows(10))))
    page = httpx.get(url, timeout=30)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "reward-kit run · run" in page.text and '"s009"' in page.text
    assert httpx.get(url + "nothing", timeout=30).status_code == 404
    assert not (tmp_path / "run" / "report.html").exists()  # served from memory


def test_serves_a_comparison_linking_both_reports(serve: Any, tmp_path: Path) -> None:
    first = make_run(tmp_path / "a", sample_rows(10))
    second = make_run(tmp_path / "b", sample_rows(10, wrong={2}))
    url = serve(str(first), str(second))
    comparison = httpx.get(url, timeout=30).text
    assert 'id="rk-diff"' in comparison and '"status":"regressed"' in comparison
    assert '"links":{"a":"/a/","b":"/b/"}' in comparison
    for path in ("a/", "b/"):
        assert 'id="rk-meta"' in httpx.get(url + path, timeout=30).text


def test_a_folder_that_is_not_a_run_fails_in_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "reward_kit", "view", str(tmp_path), "--no-open"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"reward-kit view: error: {tmp_path} holds no results.jsonl, so it is not a run directory"
    )
