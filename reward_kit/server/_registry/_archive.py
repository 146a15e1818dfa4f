"""Unpacking an uploaded ``.tar.gz`` with bounded cost, and only when all of it is acceptable.

The archive comes from the network, so its cost is bounded before it is paid: only gzip is
accepted (bz2 and xz cost far more CPU per byte), members are read one at a time with the
count limit applied as they come, the decompressed bytes are capped (headers get a small
budget of their own, so a long-name or pax header cannot be gigabytes) and every member's name
and type are checked. Everything is unpacked into a scratch folder that becomes ``src/`` only
once the whole archive and its entry points passed.
"""

from __future__ import annotations

import gzip
import io
import os
import shutil
import tarfile
import tempfile
import zlib
from pathlib import Path

from reward_kit.server._registry._code import (
    MANIFEST,
    MAX_FILES,
    CodeError,
    Layout,
    find_entries,
    safe_relative_path,
)

_GZIP_MAGIC = b"\x1f\x8b"
_MAX_UNPACKED_BYTES = 512 * 1024 * 1024
_MAX_HEADER_BYTES = 8 * 1024 * 1024
_READ_AHEAD = 64 * 1024  # what tarfile may read beyond the member it is at
_BLOCK = tarfile.BLOCKSIZE


class _Budgeted(io.RawIOBase):
    """The decompressed archive, readable up to ``allowed`` bytes (raised member by member)."""

    def __init__(self, source: gzip.GzipFile) -> None:
        self._source = source
        self.used = 0
        self.allowed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._source.read(len(buffer))
        self.used += len(data)
        if self.used > self.allowed:
            raise CodeError(
                f"the archive's headers take more than {_MAX_HEADER_BYTES // 2**20} MiB or it "
                f"unpacks to more than {_MAX_UNPACKED_BYTES // 2**20} MiB"
            )
        buffer[: len(data)] = data
        return len(data)


def extract_archive(archive: Path, target: Path) -> Path:
    """Unpack the gzip-compressed tar ``archive`` into ``target``; returns the code's root.

    An archive whose members all sit under one top-level folder (``name/...``, as Fireworks'
    tools make them) has that folder as its root.
    """
    with open(archive, "rb") as raw:
        if raw.read(2) != _GZIP_MAGIC:
            raise CodeError("the upload is not a readable .tar.gz archive (not gzip-compressed)")
        raw.seek(0)
        try:
            with gzip.GzipFile(fileobj=raw) as unzipped:
                _extract_members(_Budgeted(unzipped), target)
        except (tarfile.TarError, EOFError, OSError, UnicodeError, zlib.error) as exc:
            raise CodeError(f"the upload is not a readable .tar.gz archive ({exc})") from None
    entries = [path for path in target.iterdir() if path.name != "__MACOSX"]
    if len(entries) == 1 and entries[0].is_dir() and not (target / MANIFEST).exists():
        return entries[0]
    return target


def _extract_members(stream: _Budgeted, target: Path) -> None:
    layout = Layout()
    data_bytes = count = 0
    stream.allowed = _MAX_HEADER_BYTES + _READ_AHEAD  # opening reads the first header
    with tarfile.open(fileobj=stream, mode="r|") as tar:
        while True:
            stream.allowed = data_bytes + _MAX_HEADER_BYTES + _READ_AHEAD
            member = tar.next()
            if member is None:
                return
            count += 1
            if count > MAX_FILES:
                raise CodeError(f"the archive has more than {MAX_FILES} entries")
            relative = safe_relative_path(member.name)
            if not (member.isfile() or member.isdir()):
                raise CodeError(f"archive member {member.name!r} is not a file or folder")
            layout.add(relative, folder=member.isdir())
            destination = target / relative
            if member.isdir():
                destination.mkdir(parents=True, exist_ok=True)
                continue
            data_bytes += -(-member.size // _BLOCK) * _BLOCK
            if data_bytes > _MAX_UNPACKED_BYTES:
                raise CodeError(
                    f"the archive unpacks to more than {_MAX_UNPACKED_BYTES // 2**20} MiB"
                )
            stream.allowed = data_bytes + _MAX_HEADER_BYTES + _READ_AHEAD
            destination.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            assert source is not None
            with source, open(destination, "wb") as out:
                shutil.copyfileobj(source, out)


def unpack_upload(archive: Path, src: Path, entry_point: str) -> tuple[Path, dict[str, str], str]:
    """Unpack ``archive`` into ``src`` if all of it is acceptable; nothing is left otherwise.

    Returns:
        The code's root folder (inside ``src``), its entries (name -> ``file.py:function``)
        and the text of its ``requirements.txt`` ("" when it has none).
    """
    scratch = Path(tempfile.mkdtemp(prefix=".src-", dir=src.parent))
    try:
        root = extract_archive(archive, scratch)
        entries = find_entries(root, entry_point)
        requirements = root / "requirements.txt"
        try:
            text = requirements.read_text(encoding="utf-8") if requirements.is_file() else ""
        except UnicodeDecodeError:
            raise CodeError("requirements.txt is not UTF-8 text") from None
        try:
            if src.exists():  # an earlier validateUpload of this revision
                os.rename(src, tempfile.mkdtemp(prefix=".old-src-", dir=src.parent))
            os.rename(scratch, src)
        except OSError as exc:
            raise CodeError(
                f"could not put the code in place ({exc.strerror}); another "
                "validateUpload of this evaluator may be running"
            ) from None
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    for old in src.parent.glob(".old-src-*"):
        shutil.rmtree(old, ignore_errors=True)
    return src / root.relative_to(scratch), entries, text
