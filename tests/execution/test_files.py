"""Collecting files a job wrote: what comes back, and every way a job may try to abuse it."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest

from reward_kit.execution import CollectFiles, ExecutionResult, LocalExecutor
from reward_kit.execution._sandbox._collect import Collector, glob_match
from tests.execution.conftest import SECRET, assert_still_works


def test_returns_matching_files_as_bytes(executor: LocalExecutor) -> None:
    code = (
        "import os\n"
        "open('result.csv', 'w').write('a,b\\n1,2\\n')\n"
        "os.makedirs('plots/deep')\n"
        "open('plots/deep/fig.png', 'wb').write(b'\\x89PNG\\r\\n\\x1a\\n' + bytes(3))\n"
        "open('notes.txt', 'w').write('not asked for')\n"
    )
    result = executor.run(code, collect_files=["*.csv", "**/*.png"])
    assert result.status == "ok", result
    assert result.files == {
        "result.csv": b"a,b\n1,2\n",
        "plots/deep/fig.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00",
    }
    assert result.files_skipped == {}


def test_nothing_collected_unless_asked(executor: LocalExecutor) -> None:
    result = executor.run("open('out.csv', 'w').write('x')")
    assert (result.files, result.files_skipped) == ({}, {})


def test_program_file_and_input_files(executor: LocalExecutor) -> None:
    code = "data = open('dataset.csv').read()\nopen('copy.csv', 'w').write(data.upper())"
    result = executor.run(code, files={"dataset.csv": "x,y\n"}, collect_files=["**"])
    assert result.files == {"dataset.csv": b"x,y\n", "copy.csv": b"X,Y\n"}  # never main.py


def test_files_come_back_even_when_the_program_fails(executor: LocalExecutor) -> None:
    result = executor.run("open('partial.txt', 'w').write('half')\n1 / 0", collect_files="*.txt")
    assert result.status == "error"
    assert result.files == {"partial.txt": b"half"}


def test_symlinks_are_never_followed(executor: LocalExecutor) -> None:
    code = (
        "import os\n"
        "os.symlink('/etc/passwd', 'passwd.txt')\n"
        "os.symlink('/etc', 'etc_dir')\n"
        "os.symlink('/proc/self/environ', 'env.txt')\n"
    )
    result = executor.run(code, collect_files=["*.txt", "etc_dir/*", "**/passwd"])
    assert result.files == {}
    assert result.files_skipped == {
        "env.txt": "symbolic link (not followed)",
        "passwd.txt": "symbolic link (not followed)",
    }
    assert SECRET not in result.model_dump_json()


def test_hard_links_fifos_and_sockets_are_skipped(executor: LocalExecutor) -> None:
    code = (
        "import os, socket\n"
        "open('a.out', 'w').write('x')\n"
        "os.link('a.out', 'b.out')\n"
        "os.mkfifo('pipe.out')\n"
        "s = socket.socket(socket.AF_UNIX); s.bind('sock.out')\n"
    )
    result = executor.run(code, collect_files=["*.out"], timeout=5)
    assert result.status == "ok", result
    assert result.files == {}  # a FIFO would block a naive reader forever
    assert result.files_skipped["pipe.out"] == "not a regular file"
    assert result.files_skipped["sock.out"] in (
        "not a regular file",
        "cannot open: No such device or address",
    )
    assert "hard link" in result.files_skipped["a.out"]
    assert "hard link" in result.files_skipped["b.out"]


def test_size_limits(executor: LocalExecutor) -> None:
    code = (
        "open('huge.bin', 'wb').write(b'x' * 5_000_000)\n"
        "for i in range(5): open(f'part{i}.bin', 'wb').write(b'y' * 300)\n"
    )
    spec = CollectFiles(["*.bin"], max_file_bytes=1000, max_total_bytes=700, max_files=10)
    result = executor.run(code, collect_files=spec)
    assert result.status == "ok", result
    assert result.files == {"part0.bin": b"y" * 300, "part1.bin": b"y" * 300}
    assert "over the 1000-byte limit" in result.files_skipped["huge.bin"]
    assert "total limit" in result.files_skipped["part2.bin"]
    assert sum(map(len, result.files.values())) <= 700


def test_thousands_of_files_are_bounded(executor: LocalExecutor) -> None:
    code = "import os\nfor i in range(12000):\n    open(f'f{i:05}.txt', 'w').close()\n"
    result = executor.run(code, collect_files=["*.txt"], timeout=20)
    assert result.status == "ok", result
    assert len(result.files) == 100  # the default max_files
    assert len(result.files_skipped) <= 102
    assert "walk stopped" in result.files_skipped["*"]
    assert "more files skipped" in result.files_skipped["..."]
    assert_still_works(executor)


def test_deep_nesting_is_bounded(executor: LocalExecutor) -> None:
    code = (
        "import os\nos.makedirs('/'.join(['d'] * 40))\n"
        "open('/'.join(['d'] * 40 + ['x.txt']), 'w').close()"
    )
    result = executor.run(code, collect_files=["**/*.txt"])
    assert result.status == "ok", result
    assert result.files == {}
    assert any("deeper than" in reason for reason in result.files_skipped.values())


def test_odd_file_names(executor: LocalExecutor) -> None:
    code = (
        "import os\n"
        "open('..hidden', 'w').write('1')\n"
        "open('a..b', 'w').write('2')\n"
        "open('new\\nline', 'w').write('3')\n"
        "open(b'bad\\xff', 'w').write('4')\n"
    )
    result = executor.run(code, collect_files=["*"])
    assert result.status == "ok", result
    assert result.files == {"..hidden": b"1", "a..b": b"2", "new\nline": b"3"}
    assert list(result.files_skipped.values()) == ["name is not valid UTF-8"]


def test_nothing_outside_the_job_directory_is_read(executor: LocalExecutor) -> None:
    # the program leaves files elsewhere it can write (/tmp): they are not in its directory
    code = "open('/tmp/elsewhere.txt', 'w').write('x')\nopen('here.txt', 'w').write('y')"
    result = executor.run(code, collect_files=["**"])
    assert result.files == {"here.txt": b"y"}


def test_patterns_outside_the_directory_are_rejected() -> None:
    for pattern in ("../x", "/etc/passwd", "a/../../b", ""):
        with pytest.raises(ValueError, match="relative"):
            CollectFiles([pattern])


def test_files_travel_as_base64_in_json() -> None:
    result = ExecutionResult(status="ok", files={"a.bin": b"\xff\x00"})
    data = json.loads(result.model_dump_json())
    assert data["files"] == {"a.bin": base64.b64encode(b"\xff\x00").decode()}
    assert ExecutionResult.model_validate_json(result.model_dump_json()) == result


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("*.csv", "a.csv", True),
        ("*.csv", "out/a.csv", False),
        ("**/*.csv", "a.csv", True),
        ("**/*.csv", "x/y/a.csv", True),
        ("out/**", "out/x/y.png", True),
        ("out/*.png", "out/x/y.png", False),
        ("[ab].txt", "b.txt", True),
    ],
)
def test_glob_match(pattern: str, path: str, matches: bool) -> None:
    assert glob_match(pattern, path) is matches


def test_collector_never_follows_a_symlinked_root_or_dir(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET)
    job = tmp_path / "job"
    job.mkdir()
    os.symlink(outside, job / "sub")
    spec = {"patterns": ["**"], "max_file_bytes": 100, "max_total_bytes": 100, "max_files": 5}
    collector = Collector(spec)
    collector.walk(str(job))
    assert collector.files == {}
    linked_root = Collector(spec)
    linked_root.walk(str(job / "sub"))
    assert linked_root.files == {} and "cannot open" in linked_root.skipped["."]
