"""One worker process as the pool sees it: started, sent calls, read, killed.

The worker side is ``reward_kit._worker_process``; :class:`~reward_kit._workers.WorkerPool`
drives one :class:`Worker` per dispatcher thread. Calls go as pickles (each function once per
worker, :class:`Functions` encodes it once per pool); replies come back as length-prefixed JSON
frames, read with a deadline, so a call past its limit or a dead worker is noticed at once.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from reward_kit._loop_future import LoopFuture
from reward_kit._pickling import dumps, unpicklable_part
from reward_kit._wire_values import decode_value
from reward_kit._worker_process import (
    BOOTSTRAP,
    CACHED_FUNCTIONS,
    MAX_FRAME,
    READY,
    STARTED,
    pack_frame,
)
from reward_kit.errors import EvaluationError, EvaluationTimeout, WorkerCrashed

__all__ = [
    "LOAD_LIMIT_S",
    "START_LIMIT_S",
    "CannotSendCall",
    "Functions",
    "Launcher",
    "Task",
    "Worker",
]

Launcher = Callable[[list[str]], tuple[list[str], "dict[str, str] | None"]]
"""Turns a worker's command line into the one to run and its environment (None: inherit).

A server wraps it in a sandbox and gives it an environment of its own."""

START_LIMIT_S = 120.0
"""How long starting a worker (a fresh interpreter, its initializer) may take."""
LOAD_LIMIT_S = 120.0
"""How long loading a batch of calls (unpickling, importing their modules) may take."""
_HEADER = struct.Struct(">I")


class CannotSendCall(EvaluationError):
    """A call's function or arguments cannot be pickled for a worker process."""


@dataclass
class Task:
    func: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    timeout: float | None
    future: Future[Any] | LoopFuture = field(default_factory=Future)
    alone: bool = False
    """Run in a batch of its own (its batch's loading hung, and the culprit is not known)."""


def settle(future: Future[Any] | LoopFuture, reply: bytes) -> None:
    try:
        value = decode_value(reply)
    except BaseException as exc:
        future.set_exception(exc)
    else:
        future.set_result(value)


class Functions:
    """Each function's pickle, made once per pool (a by-value closure costs more than a call)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._encoded: OrderedDict[int, tuple[Any, int, bytes]] = OrderedDict()
        self._next_key = 0

    def encode(self, func: Callable[..., Any]) -> tuple[int, bytes]:
        """The function's key and pickle; raises CannotSendCall naming what cannot be pickled."""
        with self._lock:
            cached = self._encoded.get(id(func))
            if cached is not None and cached[0] is func:
                return cached[1], cached[2]
        try:
            encoded = dumps(func)
        except Exception as exc:
            part = unpicklable_part(func)
            where = f": it refers to {part}" if part else f" ({type(exc).__name__}: {exc})"
            message = f"{func!r} cannot be pickled for a worker process{where}"
            raise CannotSendCall(message) from None
        with self._lock:
            self._next_key += 1
            self._encoded[id(func)] = (func, self._next_key, encoded)
            while len(self._encoded) > CACHED_FUNCTIONS:
                self._encoded.popitem(last=False)
            return self._next_key, encoded


class Worker:
    """One worker process and the pipes to it, driven by one dispatcher thread."""

    def __init__(
        self, name: str, initializer: bytes, launcher: Launcher | None, output_limit: int | None
    ) -> None:
        argv = [sys.executable, "-c", BOOTSTRAP, json_path(), name]
        argv, env = launcher(argv) if launcher is not None else (argv, None)
        self.process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None if output_limit is None else subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        if self.process.stderr is not None and output_limit is not None:
            threading.Thread(
                target=forward_output,
                args=(self.process.stderr, name, output_limit),
                name=f"{name}-output",
                daemon=True,
            ).start()
        self._commands = self.process.stdin.fileno()
        self._replies = self.process.stdout.fileno()
        self._poll = select.poll()
        self._poll.register(self._replies, select.POLLIN)
        self._buffer = bytearray()
        self._ready = False
        self._known: OrderedDict[int, None] = OrderedDict()
        """Keys of the functions this worker holds, evicted in the worker's own order."""
        self._send(initializer)

    def _send(self, payload: bytes) -> None:
        view = memoryview(pack_frame(payload))
        try:
            while view:
                view = view[os.write(self._commands, view) :]
        except OSError:
            raise self._crashed() from None

    def _entry(self, functions: Functions, task: Task) -> tuple[int, bytes | None, bytes]:
        key, definition = functions.encode(task.func)
        try:
            arguments = dumps((task.args, task.kwargs))
        except Exception as exc:
            raise CannotSendCall(
                f"the arguments of {task.func!r} cannot be pickled for a worker process "
                f"({type(exc).__name__}: {exc})"
            ) from None
        if key in self._known:
            return key, None, arguments
        self._known[key] = None
        while len(self._known) > CACHED_FUNCTIONS:
            self._known.popitem(last=False)
        return key, definition, arguments

    def call(self, tasks: list[Task], functions: Functions) -> list[Task]:
        """Run ``tasks`` in order, settling each one's future as soon as its reply arrives.

        Returns:
            The tasks that did not run because the worker was lost (killed after a time-out,
            or dead) while running an earlier one, which got the error: they may run elsewhere.
        """
        entries = []
        for task in tasks:
            try:
                entries.append(self._entry(functions, task))
            except CannotSendCall as exc:
                task.future.set_exception(exc)
        tasks = [task for task in tasks if not task.future.done()]
        if not tasks:
            return []
        problem: EvaluationError = EvaluationTimeout(
            f"the worker could not start the call within {LOAD_LIMIT_S:g} s "
            "(importing its module hung?); the worker process was killed"
        )
        try:
            self._wait_ready()
            self._send(pickle.dumps(entries))
            started = self._receive(LOAD_LIMIT_S) == STARTED
        except WorkerCrashed as exc:
            started, problem = False, exc
        if not started:
            self.kill()
            if len(tasks) > 1:  # which call's loading failed is not known: run each alone
                for task in tasks:
                    task.alone = True
                return tasks
            tasks[0].future.set_exception(problem)
            return []
        for position, task in enumerate(tasks):
            try:
                reply = self._reply(task)
            except (EvaluationTimeout, WorkerCrashed) as exc:
                task.future.set_exception(exc)
                return tasks[position + 1 :]
            settle(task.future, reply)
        return []

    def _wait_ready(self) -> None:
        """Wait, once, until the worker has started; WorkerCrashed if it cannot."""
        if self._ready:
            return
        if self._receive(START_LIMIT_S) != READY:
            self.kill()
            raise WorkerCrashed(f"the worker process did not start within {START_LIMIT_S:g} s")
        self._ready = True

    def _reply(self, task: Task) -> bytes:
        """The reply to ``task``, which has just started; raises when the worker is lost."""
        reply = self._receive(task.timeout)
        if reply is None:
            self.kill()
            raise EvaluationTimeout(
                f"timed out after {task.timeout:g} s; the worker process was killed"
            )
        return reply

    def _receive(self, timeout: float | None) -> bytes | None:
        """The next frame from the worker; None past ``timeout``; WorkerCrashed if it is gone."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if len(self._buffer) >= _HEADER.size:
                size = _HEADER.unpack_from(self._buffer)[0]
                if size > MAX_FRAME:
                    self.kill()
                    raise WorkerCrashed(f"the worker sent a reply of {size} bytes (too large)")
                if len(self._buffer) >= _HEADER.size + size:
                    frame = bytes(self._buffer[_HEADER.size : _HEADER.size + size])
                    del self._buffer[: _HEADER.size + size]
                    return frame
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not self._poll.poll(None if remaining is None else remaining * 1000):
                return None
            try:
                chunk = os.read(self._replies, 1 << 20)
            except OSError:
                chunk = b""
            if not chunk:
                raise self._crashed()
            self._buffer += chunk

    def _crashed(self) -> WorkerCrashed:
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.process.returncode
        how = f"was killed by signal {-code}" if code is not None and code < 0 else (
            f"died while evaluating (exit code {code})")  # fmt: skip
        return WorkerCrashed(f"the worker process {how}")

    def is_alive(self) -> bool:
        """Whether the worker process is still running."""
        return self.process.poll() is None

    def kill(self) -> None:
        """Kill the worker and everything it started (it may be stuck in C code)."""
        with contextlib.suppress(OSError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        self.close_pipes()

    def close_pipes(self) -> None:
        """Close this process's ends of the worker's pipes (the worker then exits)."""
        for pipe in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                pipe.close()  # type: ignore[union-attr]


def forward_output(pipe: Any, name: str, limit: int) -> None:
    """Copy a worker's output (what its calls print) to ours, prefixed with the worker's name,
    up to ``limit`` bytes; the rest is read and dropped, with one line saying so."""
    sent = 0
    for line in iter(pipe.readline, b""):
        if sent < limit:
            line = line[: limit - sent]
            sent += len(line)
            text = line.decode("utf-8", "replace").rstrip("\n")
            print(f"[{name}] {text}", file=sys.stderr, flush=True)
            if sent >= limit:
                print(f"[{name}] (output past {limit} bytes dropped)", file=sys.stderr, flush=True)
    pipe.close()


def json_path() -> str:
    """The caller's ``sys.path`` for a worker, relative entries made absolute."""
    return json.dumps([os.path.abspath(entry) for entry in sys.path])
