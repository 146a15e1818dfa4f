"""The worker side of the worker pool: runs the calls it receives, one at a time, in order.

Each message holds a batch of pickled calls. The worker unpickles them all (which may import
modules: that time counts against no call's limit), tells the parent the first has started,
then runs them one after another and sends each reply as soon as that call is done: the
parent counts each later call's time limit from the reply to the call before it.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import threading
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from reward_kit.errors import EvaluationError

__all__ = ["STARTED", "worker_main"]

STARTED = b"S"
"""Sent by a worker once a batch of calls is unpickled and the first starts: its time limit
counts from here; each later call's counts from the reply to the call before it."""


def _owner_is_alive(owner_pid: int) -> bool:
    try:
        os.kill(owner_pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _watch_owner(owner_pid: int) -> None:
    """Exit this worker at once when the process that owns its pool is gone, even mid-call.

    A worker's parent is the forkserver, not the owner, and the forkserver outlives the owner
    for as long as any of its children do, so the parent-death signal cannot be used: the
    worker watches the owner itself (a pidfd where the kernel has them, else polling).
    """
    try:
        owner = os.pidfd_open(owner_pid)
    except (AttributeError, OSError):
        while _owner_is_alive(owner_pid):
            time.sleep(0.5)
    else:
        select.select([owner], [], [])
    os._exit(1)


def worker_main(
    connection: Connection, initializer: Callable[[], object] | None, owner_pid: int
) -> None:
    """Run batches of calls received on ``connection`` until it closes; reply to each call."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    threading.Thread(
        target=_watch_owner, args=(owner_pid,), name="reward-kit-owner-watch", daemon=True
    ).start()
    if initializer is not None:
        initializer()
    while True:
        try:
            payloads: list[bytes] = pickle.loads(connection.recv_bytes())
        except (EOFError, OSError):
            return
        calls = [_load_call(payload) for payload in payloads]  # may import modules
        connection.send_bytes(STARTED)
        for call in calls:
            connection.send_bytes(_run_call(call))


def _load_call(payload: bytes) -> tuple[Any, str]:
    """The unpickled ``(func, args, kwargs)`` of a call, or the exception that prevented it."""
    try:
        return pickle.loads(payload), ""
    except BaseException as exc:  # reported to the caller of that call only
        return exc, traceback.format_exc()


def _run_call(call: tuple[Any, str]) -> bytes:
    """Run one loaded call; its pickled reply ``("ok", result)`` or ``("error", exception)``."""
    loaded, formatted = call
    if isinstance(loaded, BaseException):
        reply: tuple[str, Any] = ("error", loaded)
    else:
        func, args, kwargs = loaded
        try:
            reply = ("ok", func(*args, **kwargs))
        except BaseException as exc:  # report every failure of the call to the caller
            reply = ("error", exc)
            formatted = traceback.format_exc()
    try:
        encoded = pickle.dumps(reply)
        if reply[0] == "error":
            pickle.loads(encoded)  # some exceptions pickle but cannot be unpickled
        return encoded
    except Exception as exc:  # the result or the exception itself cannot be pickled
        message = f"{type(exc).__name__}: {exc}"
        if reply[0] == "error":
            message = f"{type(reply[1]).__name__}: {reply[1]}\n{formatted}"
        return pickle.dumps(("error", EvaluationError(message)))
