"""Putting an evaluator's code in place: inline files, uploaded archives, and its entry points.

Archive members and file names come from the network, so each is checked before anything is
written: relative paths only, no ``..``, regular files and folders only (no links or devices),
and bounded counts and sizes.
"""

from __future__ import annotations

import json
import posixpath
import tarfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

MANIFEST = "reward_kit_manifest.json"
"""Written by ``reward-kit deploy`` at the archive's root: ``{"entries": {name: reference}}``."""
_MAX_FILES = 5000
_MAX_UNPACKED_BYTES = 512 * 1024 * 1024


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
    return path


def write_files(target: Path, files: Mapping[str, Any]) -> None:
    """Write ``{relative name: text}`` under ``target``."""
    if len(files) > _MAX_FILES:
        raise CodeError(f"too many files ({len(files)}; the limit is {_MAX_FILES})")
    for name, content in files.items():
        if not isinstance(content, str):
            raise CodeError(f"fileContents[{name!r}] must be the file's text")
        path = target / safe_relative_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")


def extract_archive(archive: Path, target: Path) -> Path:
    """Unpack a ``.tar.gz`` safely into ``target``; returns the code's root folder.

    An archive whose members all sit under one top-level folder (``name/...``, as Fireworks'
    tools make them) has that folder as its root.
    """
    try:
        with tarfile.open(archive, "r:*") as tar:
            members = tar.getmembers()
            if len(members) > _MAX_FILES:
                raise CodeError(f"archive has {len(members)} entries; the limit is {_MAX_FILES}")
            if sum(member.size for member in members) > _MAX_UNPACKED_BYTES:
                raise CodeError("archive unpacks to more than 512 MiB")
            for member in members:
                relative = safe_relative_path(member.name)
                if not (member.isfile() or member.isdir()):
                    raise CodeError(f"archive member {member.name!r} is not a file or folder")
                destination = target / relative
                if member.isdir():
                    destination.mkdir(parents=True, exist_ok=True)
                    continue
                destination.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                assert source is not None
                with source, open(destination, "wb") as out:
                    out.write(source.read())
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise CodeError(f"the upload is not a readable .tar.gz archive ({exc})") from None
    entries = [path for path in target.iterdir() if path.name != "__MACOSX"]
    if len(entries) == 1 and entries[0].is_dir() and not (target / MANIFEST).exists():
        return entries[0]
    return target


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
    for index, criterion in enumerate(criteria):
        snippets = criterion.get("codeSnippets") or {}
        files = snippets.get("fileContents") or {}
        if not isinstance(files, dict) or not files:
            raise CodeError(f"criteria[{index}] has no codeSnippets.fileContents")
        name = str(criterion.get("name") or f"criterion{index}")
        folder = safe_relative_path(name.replace("/", "_"))
        write_files(target / folder, files)
        entry_file = snippets.get("entryFile") or "main.py"
        entry_func = snippets.get("entryFunc") or "evaluate"
        entries[name] = f"{folder}/{safe_relative_path(entry_file)}:{entry_func}"
    if not entries:
        raise CodeError("the evaluator has no criteria with code")
    check_entries(target, entries)
    return entries
