"""Tests of reward_kit/_atomic.py: a file is replaced whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from reward_kit._atomic import replaced_when_complete, write_text_atomically


def test_the_new_content_appears_only_when_the_block_succeeds(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    path.write_text("old\n")
    with replaced_when_complete(path) as handle:
        handle.write("new\n")
        assert path.read_text() == "old\n"  # readers still see the old file
    assert path.read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


def test_a_failure_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    path.write_text("old\n")
    with pytest.raises(RuntimeError, match="half-way"), replaced_when_complete(path) as handle:
        handle.write("half")
        raise RuntimeError("half-way")
    assert path.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


def test_a_failure_before_any_file_existed_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt), replaced_when_complete(tmp_path / "new.json"):
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_write_text_atomically_writes_utf8(tmp_path: Path) -> None:
    write_text_atomically(tmp_path / "page.html", "café ✓")
    assert (tmp_path / "page.html").read_bytes() == "café ✓".encode()
