"""Putting an evaluator's code in place: inline files, checked names, and its entry points.

File names come from the network, so each is checked before anything is written: a relative
path that stays inside the evaluator, no control characters, names a file system accepts, and
no file that is also a folder (``a`` next to ``a/b``). Archives are unpacked by ``_archive``.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

MANIFEST = "reward_kit_manifest.json"
"""Written by ``reward-kit deploy`` at the archive's root: ``{"entries": {name: reference}}``."""
MAX_FILES = 5000
"""Most files (and folders) an evaluator's code may have."""
_MAX_PART_BYTES = 255  # the usual file system limit on one file name
_MAX_PATH_CHARS = 1024


class CodeError(ValueError):
    """The evaluator's code is unusable; the message says why (answered as 400)."""


def safe_relative_path(name: str) -> PurePosixPath:
    """``name`` as a relative path that cannot leave the folder it is joined to."""
    normalised = posixpath.normpath(name.replace("\\", "/"))
    path = PurePosixPath(normalised)
    if (
        not name
        or path.is_absolute()
        or normalised.startswith("../")
        or normalised in ("..", ".")
        or ":" in path.parts[0]
    ):
        raise CodeError(f"file name {name!r} is not a relative path inside the evaluator")
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        raise CodeError(f"file name {name!r} contains a control character")
    try:
        too_long = any(len(part.encode("utf-8")) > _MAX_PART_BYTES for part in path.parts)
    except UnicodeEncodeError:
        raise CodeError(f"file name {name!r} is not valid Unicode") from None
    if too_long or len(name) > _MAX_PATH_CHARS:
        raise CodeError(
            f"file name {name[:60]!r}... is too long (at most {_MAX_PART_BYTES} bytes per "
            f"name and {_MAX_PATH_CHARS} characters in all)"
        )
    return path


class Layout:
    """The files and folders of an evaluator so far, refusing clashes before they are written."""

    def __init__(self) -> None:
        self._files: set[PurePosixPath] = set()
        self._folders: set[PurePosixPath] = set()

    def add(self, path: PurePosixPath, *, folder: bool = False) -> None:
        """Record ``path``; fails when it clashes with what is there already."""
        if path in self._files or (not folder and path in self._folders):
            raise CodeError(f"{path} is given twice (or as both a file and a folder)")
        clash = next((parent for parent in path.parents if parent in self._files), None)
        if clash is not None:
            raise CodeError(f"{path} needs {clash} to be a folder, but it is a file")
        self._folders.update(path.parents)
        (self._folders if folder else self._files).add(path)


def write_files(target: Path, files: Mapping[str, Any]) -> None:
    """Write ``{relative name: text}`` under ``target``, all names checked first."""
    if len(files) > MAX_FILES:
        raise CodeError(f"too many files ({len(files)}; the limit is {MAX_FILES})")
    layout = Layout()
    paths = {}
    for name, content in files.items():
        if not isinstance(content, str):
            raise CodeError(f"fileContents[{name!r}] must be the file's text")
        paths[name] = safe_relative_path(name)
        layout.add(paths[name])
    for name, content in files.items():
        path = target / paths[name]
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            path.write_text(content, encoding="utf-8")
        except UnicodeEncodeError:
            raise CodeError(f"fileContents[{name!r}] is not valid Unicode text") from None


def _split_entry_point(entry_point: str) -> tuple[str, str]:
    """``path/main.py::evaluate`` or ``path/main.py:evaluate`` -> (file, function)."""
    file, separator, function = entry_point.replace("::", ":").rpartition(":")
    if not separator or not file or not function.isidentifier():
        raise CodeError(
            f"entryPoint {entry_point!r} must look like 'main.py::evaluate' (file::function)"
        )
    return file, function


def check_entries(root: Path, entries: Mapping[str, str]) -> None:
    """Fail unless every entry's file exists inside ``root``."""
    for name, reference in entries.items():
        file, _ = _split_entry_point(reference)
        if not (root / safe_relative_path(file)).is_file():
            raise CodeError(f"entry {name!r} points to {file}, which the code does not contain")


def find_entries(root: Path, entry_point: str = "") -> dict[str, str]:
    """The evaluator's reward functions: name -> ``relative/file.py:function``.

    Read from the deploy manifest if there is one, else from ``entry_point``, else
    ``main.py:evaluate``.
    """
    manifest = root / MANIFEST
    if manifest.is_file():
        try:
            entries = json.loads(manifest.read_text(encoding="utf-8"))["entries"]
        except (ValueError, KeyError, TypeError) as exc:
            raise CodeError(f"{MANIFEST} is malformed ({exc})") from None
        if not isinstance(entries, dict) or not entries:
            raise CodeError(f"{MANIFEST} lists no entries")
    elif entry_point:
        file, function = _split_entry_point(entry_point)
        entries = {Path(file).parent.name or "evaluate": f"{file}:{function}"}
    else:
        entries = {"evaluate": "main.py:evaluate"}
    found = {str(name): str(reference).replace("::", ":") for name, reference in entries.items()}
    check_entries(root, found)
    return found


def write_criteria(target: Path, criteria: list[dict[str, Any]]) -> dict[str, str]:
    """Write the inline code of ``criteria`` (the legacy create form); returns the entries."""
    entries: dict[str, str] = {}
    folders: set[PurePosixPath] = set()
    for index, criterion in enumerate(criteria):
        snippets = criterion.get("codeSnippets") or {}
        files = snippets.get("fileContents") or {}
        if not isinstance(files, dict) or not files:
            raise CodeError(f"criteria[{index}] has no codeSnippets.fileContents")
        name = str(criterion.get("name") or f"criterion{index}")
        folder = safe_relative_path(name.replace("/", "_").replace("\\", "_"))
        if folder in folders:
            raise CodeError(f"criteria[{index}]: two criteria are named {name!r}")
        folders.add(folder)
        write_files(target / folder, files)
        entry_file = snippets.get("entryFile") or "main.py"
        entry_func = snippets.get("entryFunc") or "evaluate"
        entries[name] = f"{folder}/{safe_relative_path(entry_file)}:{entry_func}"
    if not entries:
        raise CodeError("the evaluator has no criteria with code")
    check_entries(target, entries)
    return entries
