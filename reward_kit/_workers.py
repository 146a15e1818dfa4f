"""A pool of killable worker processes: the one place where time limits are enforced.

A time limit must be enforced from outside the code that may hang: ``signal.alarm`` works only
in the main thread, and a thread cannot be stopped. Each worker here is a process that runs one
call at a time; when a call runs past its limit the worker's process group is killed (SIGKILL)
and the worker replaced, and the caller gets :class:`~reward_kit.errors.EvaluationTimeout`. A
worker that dies mid-call gives :class:`~reward_kit.errors.WorkerCrashed`.

Workers are fresh interpreters (``reward_kit._worker_process``), never forks of the caller and
never importers of its ``__main__``: a pool is safe to use from threaded programs, notebooks and
scripts without a ``__main__`` guard. Calls travel as pickles (``reward_kit._pickling``: functions
of ``__main__`` and closures by value); replies come back as JSON, never pickle, because the
worker ran user code. Each distinct function is sent to a worker once and kept there.

When many calls are queued, a worker is sent several at once (at most a fair share of the
queue, so the workers stay evenly loaded) and runs them one after another, replying to each as
it finishes: a message per call costs more than a small call itself. Each call keeps its own
time limit, counted from its own start, and a call that hangs or kills its worker fails alone:
the calls after it in the batch run again on a fresh worker.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import os
import pickle
import queue
import select
import signal
import struct
import subprocess
import sys
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

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

__all__ = ["CallPool", "Launcher", "WorkerPool", "shared_pool"]

T = TypeVar("T")

Launcher = Callable[[list[str]], tuple[list[str], "dict[str, str] | None"]]
"""Turns a worker's command line into the one to run and its environment (None: inherit).

A server wraps it in a sandbox and gives it an environment of its own."""

START_LIMIT_S = 120.0
"""How long starting a worker (a fresh interpreter, its initializer) may take."""
LOAD_LIMIT_S = 120.0
"""How long loading a batch of calls (unpickling, importing their modules) may take."""
MAX_BATCH = 16
"""Most calls sent to a worker in one message."""
_IDLE: list[Any] = []
"""What a dispatcher gets when no call came within the pool's idle time-out."""
_HEADER = struct.Struct(">I")


class CannotSendCall(EvaluationError):
    """A call's function or arguments cannot be pickled for a worker process."""


class CallPool(Protocol):
    """Where ``Scorer`` runs sync rewards: a :class:`WorkerPool`, or Ray's ``RayPool``.

    ``arun`` raises :class:`~reward_kit.errors.EvaluationTimeout` past ``timeout`` (the call
    stopped from outside), :class:`~reward_kit.errors.WorkerCrashed` when what ran it died, and
    :class:`CannotSendCall` when the call cannot be pickled.
    """

    async def arun(
        self, func: Callable[..., T], *args: Any, timeout: float | None = None, **kwargs: Any
    ) -> T:
        """Run ``func(*args, **kwargs)`` elsewhere, answering in data (never pickle)."""
        ...

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop the pool (``wait=False``: cancel and kill what is running)."""
        ...


@dataclass
class _Task:
    func: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    timeout: float | None
    future: Future[Any] | LoopFuture = field(default_factory=Future)
    alone: bool = False
    """Run in a batch of its own (its batch's loading hung, and the culprit is not known)."""


def _settle(future: Future[Any] | LoopFuture, reply: bytes) -> None:
    try:
        value = decode_value(reply)
    except BaseException as exc:
        future.set_exception(exc)
    else:
        future.set_result(value)


class _Functions:
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


class _Worker:
    """One worker process and the pipes to it, driven by one dispatcher thread."""

    def __init__(
        self, name: str, initializer: bytes, launcher: Launcher | None, output_limit: int | None
    ) -> None:
        argv = [sys.executable, "-c", BOOTSTRAP, _json_path(), name]
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
                target=_forward_output,
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

    def _entry(self, functions: _Functions, task: _Task) -> tuple[int, bytes | None, bytes]:
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

    def call(self, tasks: list[_Task], functions: _Functions) -> list[_Task]:
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
            _settle(task.future, reply)
        return []

    def _wait_ready(self) -> None:
        """Wait, once, until the worker has started; WorkerCrashed if it cannot."""
        if self._ready:
            return
        if self._receive(START_LIMIT_S) != READY:
            self.kill()
            raise WorkerCrashed(f"the worker process did not start within {START_LIMIT_S:g} s")
        self._ready = True

    def _reply(self, task: _Task) -> bytes:
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


def _forward_output(pipe: Any, name: str, limit: int) -> None:
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


def _json_path() -> str:
    """The caller's ``sys.path`` for a worker, relative entries made absolute."""
    return json.dumps([os.path.abspath(entry) for entry in sys.path])


class WorkerPool:
    """A fixed number of worker processes running picklable calls with optional time limits.

    Args:
        workers: Number of worker processes (default: the number of CPUs).
        name: Prefix of the worker process names, shown by ``ps``.
        initializer: Function each worker runs once when it starts, outside any time limit
            (to import heavy modules before the first timed call, for example).
        launcher: Turns each worker's command line into the one to run, with its environment
            (a server runs evaluators' workers in a sandbox); default: run it as is.
        idle_timeout: Seconds a worker may wait for work before it is stopped (it is started
            again on demand); default: workers live as long as the pool.
        output_limit: Bytes of output (what calls print) each worker may pass to this
            process's stderr, each line prefixed with the worker's name; the rest is dropped.
            Default: workers write to this process's stderr directly, without a limit.
    """

    def __init__(
        self,
        workers: int | None = None,
        *,
        name: str = "reward-kit-worker",
        initializer: Callable[[], object] | None = None,
        launcher: Launcher | None = None,
        idle_timeout: float | None = None,
        output_limit: int | None = None,
    ) -> None:
        if workers is not None and workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.size = workers or os.cpu_count() or 1
        self.name = name
        self._tasks: queue.SimpleQueue[_Task | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False
        self._abandoned = False
        self._initializer = dumps(initializer)
        self._launcher = launcher
        self._idle_timeout = idle_timeout
        self._output_limit = output_limit
        self._functions = _Functions()
        self._workers: dict[int, _Worker] = {}
        _all_pools.add(self)

    def _ensure_started(self) -> None:
        if len(self._threads) == self.size and not self._closed:
            return  # started: no need to take the lock for every call
        with self._lock:
            if self._closed:
                raise RuntimeError(f"worker pool {self.name!r} has been shut down")
            while len(self._threads) < self.size:
                index = len(self._threads)
                thread = threading.Thread(
                    target=self._dispatch, args=(index,), name=f"{self.name}-{index}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def _dispatch(self, index: int) -> None:
        worker: _Worker | None = None
        pending: list[_Task] = []  # started, but their worker was lost before they ran
        stopping = False
        while pending or not stopping:
            if pending and self._abandoned:  # their worker was killed by shutdown(wait=False)
                for task in pending:
                    task.future.set_exception(WorkerCrashed("the worker pool was shut down"))
                pending = []
                continue
            idle = self._idle_timeout if worker is not None else None
            batch = pending or self._next_batch(idle)
            pending = []
            if batch is None:
                stopping = True
                continue
            if batch is _IDLE and worker is not None:
                worker.kill()
                worker = None
                continue
            if not batch:
                continue
            if any(task.alone for task in batch) and len(batch) > 1:
                batch, pending = batch[:1], batch[1:]
            try:
                if worker is None or not worker.is_alive():
                    worker = _Worker(
                        f"{self.name}-{index}",
                        self._initializer,
                        self._launcher,
                        self._output_limit,
                    )
                    self._workers[index] = worker
                pending += worker.call(batch, self._functions)
            except BaseException as exc:  # the worker could not be started
                for task in batch:
                    if not task.future.done():
                        task.future.set_exception(exc)
            if worker is not None and not worker.is_alive():
                worker.close_pipes()
                worker = None
        if worker is not None:
            worker.kill()

    def _next_batch(self, idle_timeout: float | None) -> list[_Task] | None:
        """The next queued calls to send to one worker (``None``: the pool is shutting down).

        Waits for one call (``_IDLE`` if none came within ``idle_timeout``), then takes up to
        a fair share of those still queued, so that the other workers get theirs.
        """
        try:
            task = self._tasks.get(timeout=idle_timeout)
        except queue.Empty:
            return _IDLE
        batch: list[_Task] = []
        while task is not None:
            if task.future.set_running_or_notify_cancel():
                batch.append(task)
            share = min(MAX_BATCH, 1 + self._tasks.qsize() // (2 * self.size))
            if len(batch) >= share:
                return batch
            try:
                task = self._tasks.get_nowait()
            except queue.Empty:
                return batch
        if batch:  # the end-of-work marker belongs to some dispatcher: put it back
            self._tasks.put(None)
            return batch
        return None

    def submit(
        self, func: Callable[..., T], *args: Any, timeout: float | None = None, **kwargs: Any
    ) -> Future[T]:
        """Queue ``func(*args, **kwargs)``; the time limit starts when a worker picks it up."""
        future: Future[T] = Future()
        self._queue(_Task(func, args, kwargs, timeout, future))
        return future

    def _queue(self, task: _Task) -> None:
        if task.timeout is not None and task.timeout <= 0:
            raise ValueError(f"timeout must be positive, got {task.timeout}")
        self._ensure_started()
        self._tasks.put(task)

    def run(
        self, func: Callable[..., T], *args: Any, timeout: float | None = None, **kwargs: Any
    ) -> T:
        """Run ``func(*args, **kwargs)`` in a worker and return its result (blocking)."""
        return self.submit(func, *args, timeout=timeout, **kwargs).result()

    async def arun(
        self, func: Callable[..., T], *args: Any, timeout: float | None = None, **kwargs: Any
    ) -> T:
        """Run ``func(*args, **kwargs)`` in a worker without blocking the event loop."""
        future = LoopFuture(asyncio.get_running_loop())
        self._queue(_Task(func, args, kwargs, timeout, future))
        try:
            result: T = await future.awaitable
        except asyncio.CancelledError:
            future.cancel()  # not started yet: it never will be
            raise
        return result

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop the dispatchers and their workers.

        Args:
            wait: True lets queued calls run first. False cancels queued calls and kills the
                workers at once (what happens at interpreter exit).
        """
        if not wait:
            self._abandoned = True
            self._cancel_queued()
            for worker in list(self._workers.values()):
                worker.kill()
        with self._lock:
            if self._closed:
                return
            self._closed = True
            threads = list(self._threads)
        for _ in threads:
            self._tasks.put(None)
        for thread in threads:
            thread.join(timeout=10)

    def _cancel_queued(self) -> None:
        while True:
            try:
                task = self._tasks.get_nowait()
            except queue.Empty:
                return
            if task is not None:
                task.future.cancel()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()


_shared_lock = threading.Lock()
_shared: dict[tuple[str, int | None], WorkerPool] = {}
_all_pools: weakref.WeakSet[WorkerPool] = weakref.WeakSet()


def shared_pool(
    name: str = "default",
    workers: int | None = None,
    initializer: Callable[[], object] | None = None,
) -> WorkerPool:
    """A process-wide pool, started on first use and reused by every later call.

    Args:
        name: Pools with different names never share workers (the math verifier's pool is not
            blocked by a slow code reward's, for example).
        workers: Number of workers (default: the number of CPUs).
        initializer: Run once by each worker as it starts (see :class:`WorkerPool`); only the
            first call that creates the pool sets it.
    """
    with _shared_lock:
        key = (name, workers)
        pool = _shared.get(key)
        if pool is None:
            pool = WorkerPool(workers, name=f"reward-kit-{name}", initializer=initializer)
            _shared[key] = pool
        return pool


def _shutdown_all_pools() -> None:
    """Stop every pool at exit: their workers (and what those started) are killed."""
    with _shared_lock:
        _shared.clear()
    for pool in list(_all_pools):
        pool.shutdown(wait=False)


def _forget_pools_after_fork() -> None:
    """In a forked child: drop the pools (their threads did not survive) and the pipes to their
    workers, so that the workers still see their owner go when the owner exits."""
    for pool in list(_all_pools):
        for worker in list(pool._workers.values()):
            worker.close_pipes()
    _shared.clear()
    _all_pools.clear()


atexit.register(_shutdown_all_pools)
os.register_at_fork(after_in_child=_forget_pools_after_fork)
