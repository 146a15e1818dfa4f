"""Returning files a program wrote: what to collect (:class:`CollectFiles`) and reading the report.

The sandbox copies matching files out of the finished job's directory (see
``_sandbox/_collect.py``); the host then reads that one report from the job's own directory as
data, checks every name and size again, and never opens anything the program named.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

_MISSING_REPORT = "the sandbox did not report the collected files"


@dataclass(frozen=True)
class CollectFiles:
    """Which files to bring back from a job's working directory, and how much at most.

    Args:
        patterns: globs relative to the working directory (``"*.csv"``, ``"out/**"``,
            ``"**/*.png"``); ``*`` stays within a directory, ``**`` spans directories.
        max_file_bytes: a larger file is skipped (and reported), never truncated.
        max_total_bytes: files that would take the total past this are skipped.
        max_files: files returned at most; later matches (in name order) are skipped.
    """

    patterns: Sequence[str] = ("**",)
    max_file_bytes: int = 1 << 20
    max_total_bytes: int = 8 << 20
    max_files: int = 100
    exclude: Sequence[str] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.patterns, str):
            object.__setattr__(self, "patterns", (self.patterns,))
        object.__setattr__(self, "patterns", tuple(self.patterns))
        for pattern in self.patterns:
            path = PurePosixPath(pattern)
            if not pattern or path.is_absolute() or ".." in path.parts:
                raise ValueError(f"pattern {pattern!r} must be relative to the working directory")
        for name, value in (
            ("max_file_bytes", self.max_file_bytes),
            ("max_total_bytes", self.max_total_bytes),
            ("max_files", self.max_files),
        ):
            if not (isinstance(value, int) and value >= 0):
                raise ValueError(f"{name} must be an int >= 0, got {value!r}")

    @classmethod
    def of(cls, value: CollectFiles | Sequence[str] | str | None) -> CollectFiles | None:
        """``None``, a pattern, a list of patterns or a ``CollectFiles``, as a ``CollectFiles``."""
        if value is None or isinstance(value, CollectFiles):
            return value
        return cls(patterns=(value,) if isinstance(value, str) else tuple(value))

    def spec(self, program_file: str) -> dict[str, Any]:
        """The request the sandbox gets (the program's own file is never returned)."""
        return {
            "patterns": list(self.patterns),
            "max_file_bytes": self.max_file_bytes,
            "max_total_bytes": self.max_total_bytes,
            "max_files": self.max_files,
            "exclude": [program_file, *self.exclude],
        }


def safe_name(name: str) -> bool:
    """Whether ``name`` is a plain relative path (no ``..``, not absolute, no empty parts)."""
    parts = name.split("/")
    return bool(name) and all(part not in ("", ".", "..") for part in parts) and "\0" not in name


def read_report(job_dir: Path, spec: CollectFiles) -> tuple[dict[str, bytes], dict[str, str]]:
    """The files the sandbox collected and those it skipped, checked again against ``spec``."""
    cap = spec.max_total_bytes * 4 // 3 + 64 * 1024 + 300 * (spec.max_files + 200)
    try:
        with (job_dir / "collected.json").open("rb") as stream:
            raw = stream.read(cap + 1)
    except OSError:
        return {}, {"*": _MISSING_REPORT}
    if len(raw) > cap:
        return {}, {"*": "the collected files' report is over its size limit"}
    try:
        report = json.loads(raw)
        encoded = report["files"]
        skipped = {str(k): str(v)[:300] for k, v in dict(report["skipped"]).items()}
    except (ValueError, KeyError, TypeError):
        return {}, {"*": _MISSING_REPORT}
    return check_files(encoded, spec, skipped)


def check_files(
    encoded: dict[str, Any], spec: CollectFiles, skipped: dict[str, str]
) -> tuple[dict[str, bytes], dict[str, str]]:
    """Decode base64 contents, keeping only safe names within the limits."""
    files: dict[str, bytes] = {}
    total = 0
    for name, content in encoded.items():
        try:
            data = base64.b64decode(content, validate=True)
        except (binascii.Error, TypeError, ValueError):
            skipped[name] = "unreadable content"
            continue
        if not safe_name(name):
            skipped[repr(name)[:200]] = "unsafe file name"
        elif len(files) >= spec.max_files:
            skipped[name] = f"more than {spec.max_files} files"
        elif len(data) > spec.max_file_bytes or total + len(data) > spec.max_total_bytes:
            skipped[name] = "over the size limit"
        else:
            files[name] = data
            total += len(data)
    return files, skipped
