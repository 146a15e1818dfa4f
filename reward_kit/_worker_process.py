"""The worker side of the worker pool: a fresh interpreter that runs the calls it is sent.

A worker is started as ``python -c BOOTSTRAP SYS_PATH NAME``: it never imports the caller's
``__main__`` (so a script without a ``__main__`` guard runs once), and it receives the caller's
``sys.path`` so that the same modules import. It talks to its pool over its stdin and stdout,
which it moves out of the way of user code first (``print`` goes to stderr).

Frames are a 4-byte big-endian length and a payload. The pool sends pickles (the pool is
trusted); the worker answers in JSON only (``reward_kit._wire_values``): ``READY`` once it has
started, ``STARTED`` once a batch
of calls is unpickled and the first starts, then one reply per call as soon as it is done. The
parent counts each call's time limit from the message before its reply. When the pool's end of
stdin closes (its owner exited or died), the worker exits at once, even mid-call.
"""

from __future__ import annotations

import os
import pickle
import queue
import signal
import struct
import sys
import threading
import traceback
from typing import Any

from reward_kit._wire_values import encode_error, encode_value
from reward_kit.errors import EvaluationError

__all__ = ["BOOTSTRAP", "MAX_FRAME", "READY", "STARTED", "main", "pack_frame"]

BOOTSTRAP = (
    "import json, sys; sys.path[:] = json.loads(sys.argv[1]); "
    "from reward_kit._worker_process import main; main()"
)
"""What ``python -c`` runs in a new worker; argv: the caller's ``sys.path`` as JSON, a name."""

READY = b"R"
"""Sent once the worker has started and run its initializer: it can take calls."""

STARTED = b"S"
"""Sent once a batch of calls is unpickled and the first starts."""

MAX_FRAME = 256 * 1024 * 1024
"""Largest frame either side accepts: a bigger length prefix means a broken or hostile peer."""

CACHED_FUNCTIONS = 64
"""Functions a worker keeps unpickled; the pool evicts in the same (first-in) order."""

_HEADER = struct.Struct(">I")


def pack_frame(payload: bytes) -> bytes:
    """A length-prefixed frame."""
    return _HEADER.pack(len(payload)) + payload


def _read_exactly(fd: int, size: int) -> bytes | None:
    chunks, remaining = [], size
    while remaining:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _read_frames(fd: int, frames: queue.SimpleQueue[bytes]) -> None:
    """Queue each frame the pool sends; exit the process when the pool's end closes."""
    while True:
        header = _read_exactly(fd, _HEADER.size)
        size = _HEADER.unpack(header)[0] if header else MAX_FRAME + 1
        payload = _read_exactly(fd, size) if size <= MAX_FRAME else None
        if payload is None:
            os._exit(0)  # the owner is gone (or broke the protocol): nobody wants the result
        frames.put(payload)


def _write(fd: int, payload: bytes) -> None:
    view = memoryview(pack_frame(payload))
    while view:
        view = view[os.write(fd, view) :]


class _Functions:
    """Unpickled functions by the pool's key, dropped first-in first-out like the pool's."""

    def __init__(self) -> None:
        self._by_key: dict[int, Any] = {}

    def get(self, key: int, definition: bytes | None) -> Any:
        if definition is None:
            return self._by_key[key]
        function = pickle.loads(definition)
        self._by_key[key] = function
        while len(self._by_key) > CACHED_FUNCTIONS:
            del self._by_key[next(iter(self._by_key))]
        return function


def _load_call(functions: _Functions, entry: tuple[int, bytes | None, bytes]) -> Any:
    """``(func, args, kwargs)`` of a call, or the exception (and traceback) that stopped it."""
    key, definition, arguments = entry
    try:
        function = functions.get(key, definition)
        args, kwargs = pickle.loads(arguments)
        return function, args, kwargs
    except BaseException as exc:  # reported to the caller of that call only
        return exc, traceback.format_exc()


def _run_call(call: Any) -> bytes:
    """Run one loaded call; its JSON reply."""
    if isinstance(call[0], BaseException):
        return encode_error(call[0], call[1])
    function, args, kwargs = call
    try:
        value = function(*args, **kwargs)
    except BaseException as exc:  # every failure of the call goes to its caller
        return encode_error(exc, traceback.format_exc())
    try:
        return encode_value(value)
    except Exception as exc:
        return encode_error(EvaluationError(f"the call's result cannot be sent back: {exc}"))


def main() -> None:
    """Run the worker until its pool closes the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the owner's to handle
    commands, replies = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)  # user code's prints must not corrupt the replies
    frames: queue.SimpleQueue[bytes] = queue.SimpleQueue()
    threading.Thread(
        target=_read_frames, args=(commands, frames), name="reward-kit-pool-reader", daemon=True
    ).start()
    initializer = pickle.loads(frames.get())
    if initializer is not None:
        initializer()
    _write(replies, READY)
    functions = _Functions()
    while True:
        entries: list[tuple[int, bytes | None, bytes]] = pickle.loads(frames.get())
        calls = [_load_call(functions, entry) for entry in entries]  # may import modules
        _write(replies, STARTED)
        for call in calls:
            _write(replies, _run_call(call))
            sys.stdout.flush()
