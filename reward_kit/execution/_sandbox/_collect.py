"""Collecting the files a finished job wrote: glob matching and a walk that trusts nothing.

Standard library only: the fork-server runs this source (prepended to ``_server.py``) to
collect inside the sandbox, where the job's private ``/work`` lives, and the host imports it to
match E2B's file listings. The walk never follows a symbolic link (directories are opened
relative to their parent with ``O_NOFOLLOW``), reads regular files only (a FIFO, socket or
device is reported, never opened for a blocking read), refuses hard links (a link to a file
outside the directory would otherwise be read), and stops at fixed bounds on depth, entries
scanned, files kept, bytes per file and bytes in total.
"""

import fnmatch
import os
import stat
from typing import Any

COLLECT_MAX_DEPTH = 16
COLLECT_MAX_ENTRIES = 10_000
COLLECT_MAX_SKIPPED = 100
"""Skipped files named individually; beyond this only their number is reported."""


def glob_match(pattern: str, path: str) -> bool:
    """Whether a relative ``a/b.txt`` path matches a glob: ``*``, ``?``, ``[...]`` within one
    segment, ``**`` for any number of directories (``**/*.csv`` also matches ``x.csv``)."""
    return _match(pattern.strip("/").split("/"), path.split("/"))


def _match(pattern: list[str], parts: list[str]) -> bool:
    if not pattern:
        return not parts
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return any(_match(rest, parts[i:]) for i in range(len(parts) + 1))
    return bool(parts) and fnmatch.fnmatchcase(parts[0], head) and _match(rest, parts[1:])


def could_match_below(patterns: list[str], directory: str) -> bool:
    """Whether any pattern may match a path under ``directory`` (to prune the walk)."""
    parts = directory.split("/")
    for pattern in patterns:
        segments = pattern.strip("/").split("/")
        for index, part in enumerate(parts):
            if index >= len(segments) - 1 and segments[-1] != "**":
                break
            if segments[index] == "**":
                return True
            if not fnmatch.fnmatchcase(part, segments[index]):
                break
        else:
            return True
    return False


class Collector:
    """Gathers matching files under a directory; ``files`` and ``skipped`` hold the result."""

    def __init__(self, spec: dict[str, Any], exclude: frozenset[str] = frozenset()) -> None:
        self.patterns = list(spec["patterns"])
        self.max_file_bytes = int(spec["max_file_bytes"])
        self.max_total_bytes = int(spec["max_total_bytes"])
        self.max_files = int(spec["max_files"])
        self.exclude = exclude
        self.files: dict[str, bytes] = {}
        self.skipped: dict[str, str] = {}
        self.skipped_count = 0
        self.total = 0
        self.scanned = 0
        self.truncated_walk = False

    def skip(self, name: str, reason: str) -> None:
        self.skipped_count += 1
        if len(self.skipped) < COLLECT_MAX_SKIPPED:
            self.skipped[name] = reason

    def wanted(self, name: str) -> bool:
        return name not in self.exclude and any(glob_match(p, name) for p in self.patterns)

    def walk(self, root: str) -> None:
        try:
            fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError as error:
            self.skip(".", f"cannot open the working directory: {error.strerror}")
            return
        try:
            self._walk_dir(fd, "", 0)
        finally:
            os.close(fd)
        self.finish()

    def finish(self) -> None:
        """Note in ``skipped`` a walk cut short and the skipped files not named."""
        if self.truncated_walk:
            self.skipped["*"] = f"walk stopped after {COLLECT_MAX_ENTRIES} directory entries"
        if self.skipped_count > len(self.skipped):
            self.skipped["..."] = f"{self.skipped_count - len(self.skipped)} more files skipped"

    def _walk_dir(self, dir_fd: int, prefix: str, depth: int) -> None:
        names = []
        try:
            with os.scandir(dir_fd) as entries:
                for entry in entries:
                    self.scanned += 1
                    if self.scanned > COLLECT_MAX_ENTRIES:
                        self.truncated_walk = True
                        break
                    names.append(entry.name)
        except OSError as error:
            self.skip(prefix or ".", f"cannot list: {error.strerror}")
            return
        for raw in sorted(names):
            name = prefix + raw
            try:
                name.encode("utf-8")
            except UnicodeEncodeError:
                self.skip(name.encode("utf-8", "replace").decode(), "name is not valid UTF-8")
                continue
            try:
                info = os.stat(raw, dir_fd=dir_fd, follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(info.st_mode):
                if could_match_below(self.patterns, name):
                    self._enter(dir_fd, raw, name, depth)
            elif self.wanted(name):
                self._take(dir_fd, raw, name, info)

    def _enter(self, dir_fd: int, raw: str, name: str, depth: int) -> None:
        if depth + 1 >= COLLECT_MAX_DEPTH:
            self.skip(name + "/", f"deeper than {COLLECT_MAX_DEPTH} directories")
            return
        try:
            child = os.open(raw, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dir_fd)
        except OSError as error:
            self.skip(name + "/", f"cannot open directory: {error.strerror}")
            return
        try:
            self._walk_dir(child, name + "/", depth + 1)
        finally:
            os.close(child)

    def _take(self, dir_fd: int, raw: str, name: str, info: os.stat_result) -> None:
        outcome = self._read(dir_fd, raw, info)
        if isinstance(outcome, str):
            self.skip(name, outcome)
        else:
            self.keep(name, outcome)

    def refusal(self, link: bool, regular: bool, size: int) -> str | None:
        """Why a matching entry is not read (checked before reading it), or ``None``."""
        if link:
            return "symbolic link (not followed)"
        if not regular:
            return "not a regular file"
        if len(self.files) >= self.max_files:
            return f"more than {self.max_files} files"
        if size > self.max_file_bytes:
            return f"{size} bytes, over the {self.max_file_bytes}-byte limit"
        if self.total + size > self.max_total_bytes:
            return f"over the {self.max_total_bytes}-byte total limit"
        return None

    def keep(self, name: str, data: bytes) -> None:
        """Take a file's content read after :meth:`refusal` passed, unless it grew since."""
        if len(data) > self.max_file_bytes or self.total + len(data) > self.max_total_bytes:
            self.skip(name, "grew past the size limit while being read")
        else:
            self.total += len(data)
            self.files[name] = data

    def _read(self, dir_fd: int, raw: str, info: os.stat_result) -> bytes | str:
        """The file's content, or why it was skipped."""
        reason = self.refusal(stat.S_ISLNK(info.st_mode), stat.S_ISREG(info.st_mode), 0)
        if reason is not None:
            return reason
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY
        try:
            fd = os.open(raw, flags, dir_fd=dir_fd)
        except OSError as error:
            return f"cannot open: {error.strerror}"
        with os.fdopen(fd, "rb") as file:
            # Checked again on the open file: the entry may have been swapped since the stat.
            opened = os.fstat(fd)
            if stat.S_ISREG(opened.st_mode) and opened.st_nlink != 1:
                return "hard link (may point outside the directory)"
            reason = self.refusal(False, stat.S_ISREG(opened.st_mode), opened.st_size)
            if reason is not None:
                return reason
            return file.read(self.max_file_bytes + 1)
