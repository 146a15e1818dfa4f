"""Checks on evaluator code from the network: archive members, file names, requirements."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from reward_kit.server._registry._archive import extract_archive
from reward_kit.server._registry._code import (
    CodeError,
    find_entries,
    safe_relative_path,
    write_criteria,
)
from reward_kit.server._registry._environment import parse_requirements


@pytest.mark.parametrize("name", ["/etc/passwd", "../x.py", "a/../../x.py", "", ".", "C:/x.py"])
def test_names_that_leave_the_folder_are_refused(name: str) -> None:
    with pytest.raises(CodeError, match="not a relative path"):
        safe_relative_path(name)


def test_nested_names_stay_inside() -> None:
    assert str(safe_relative_path("pkg/./sub/../mod.py")) == "pkg/mod.py"


def _archive(tmp_path: Path, build) -> Path:
    path = tmp_path / "code.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        build(tar)
    return path


def test_links_in_archives_are_refused(tmp_path: Path) -> None:
    def build(tar: tarfile.TarFile) -> None:
        link = tarfile.TarInfo("e/main.py")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(link)

    (tmp_path / "out").mkdir()
    with pytest.raises(CodeError, match="is not a file or folder"):
        extract_archive(_archive(tmp_path, build), tmp_path / "out")


def test_archive_root_and_entry_point(tmp_path: Path) -> None:
    def build(tar: tarfile.TarFile) -> None:
        for name, data in {"proj/scorer.py": b"def score(**kw): pass\n", "proj/x.txt": b""}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))

    (tmp_path / "out").mkdir()
    root = extract_archive(_archive(tmp_path, build), tmp_path / "out")
    assert root.name == "proj"
    assert find_entries(root, "scorer.py::score") == {"evaluate": "scorer.py:score"}
    with pytest.raises(CodeError, match="file::function"):
        find_entries(root, "scorer.py")
    with pytest.raises(CodeError, match="does not contain"):
        find_entries(root)


def test_inline_criteria_are_written_per_criterion(tmp_path: Path) -> None:
    criteria = [
        {"name": "acc", "codeSnippets": {"fileContents": {"main.py": "x", "lib/u.py": "y"}}},
        {"name": "fmt", "codeSnippets": {"fileContents": {"f.py": "z"}, "entryFile": "f.py",
                                         "entryFunc": "check"}},
    ]  # fmt: skip
    entries = write_criteria(tmp_path, criteria)
    assert entries == {"acc": "acc/main.py:evaluate", "fmt": "fmt/f.py:check"}
    assert (tmp_path / "acc" / "lib" / "u.py").read_text() == "y"
    with pytest.raises(CodeError, match="not a relative path"):
        write_criteria(tmp_path, [{"name": "bad", "codeSnippets": {"fileContents": {"../x": ""}}}])


def test_requirements_are_parsed_and_pip_options_refused() -> None:
    text = "# comment\nnumpy>=1.26  # pinned\n\nreward-kit>=0.1\nreward_kit[server]\n"
    text += "sympy\nnumpy>=1.26\n"
    assert parse_requirements(text, "regex") == ["numpy>=1.26", "sympy", "regex"]
    for option in ("-r other.txt", "--index-url http://evil", "-e ."):
        with pytest.raises(ValueError, match="pip option"):
            parse_requirements(option)
