"""Files that readers see whole or not at all: written beside their name, then renamed.

Every file reward-kit rewrites or writes after long work (results sorted or resumed, reports,
summaries, ``--output`` files) goes through :func:`replaced_when_complete`: a reader sees the
old file or the complete new one, a crash or an error in the middle leaves no half-written
file and no temporary one, and the data is on disk before the rename makes it visible.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

__all__ = ["replaced_when_complete", "write_text_atomically"]


@contextmanager
def replaced_when_complete(path: Path) -> Iterator[TextIO]:
    """A text handle whose content becomes ``path`` once the ``with`` block succeeds."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("w", encoding="utf-8") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    os.replace(temporary, path)


def write_text_atomically(path: Path, text: str) -> None:
    """Make ``text`` the content of ``path`` (see :func:`replaced_when_complete`)."""
    with replaced_when_complete(path) as handle:
        handle.write(text)
