"""Output files of the commands: checked before any work, and never left half-written.

A command that writes ``--output FILE`` after minutes of scoring checks the path first, so a
folder or a missing parent is a one-line error before the work, not a traceback after it. The
file itself is written with ``reward_kit._atomic.replaced_when_complete``, so a failure leaves no
partial FILE.
"""

from __future__ import annotations

import os
from pathlib import Path

from reward_kit.errors import RewardKitError

__all__ = ["check_output"]


def check_output(flag: str, path: str, example: str) -> Path:
    """``path`` as a ``Path``, after refusing a folder or a file in a folder that does not exist.

    Args:
        flag: The option that named the path, for the message (``--output``).
        path: The path given.
        example: A file name to suggest inside a folder given by mistake (``results.jsonl``).
    """
    if os.path.isdir(path):
        raise RewardKitError(
            f"{flag} {path}: is a folder; give a file such as {os.path.join(path, example)}"
        )
    if not os.path.isdir(os.path.dirname(os.path.abspath(path))):
        raise RewardKitError(f"{flag} {path}: its folder does not exist")
    return Path(path)
