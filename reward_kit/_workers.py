"""A pool of killable worker processes: the one place where time limits are enforced.

A time limit must be enforced from outside the code that may hang: ``signal.alarm`` works only
in the main thread, and a thread cannot be stopped. Each worker here is a process that runs one
call at a time; when a call runs past its limit the worker is killed (SIGKILL) and replaced, and
the caller gets :class:`~reward_kit.errors.EvaluationTimeout`. A worker that dies mid-call gives
:class:`~reward_kit.errors.WorkerCrashed`. Workers are started with the ``forkserver`` method, so
a pool is safe to use from threaded programs (servers, trainers).

When many calls are queued, a worker is sent several at once (at most a fair share of the
queue, so the workers stay evenly loaded) and runs them one after another, replying to each as
it finishes: a message per call costs more than a small call itself. Each call keeps its own
time limit, counted from its own start, and a call that hangs or kills its worker fails alone:
the calls after it in the batch run again on a fresh worker.
"""

from __future__ import annotations

import asyncio
import atexit
import multiprocessing
import os
import pickle
import queue
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

from reward_kit._loop_future import LoopFuture
from reward_kit._worker_process import STARTED, worker_main
from reward_kit.errors import EvaluationError, EvaluationTimeout, WorkerCrashed

__all__ = ["WorkerPool", "shared_pool"]

T = TypeVar("T")

LOAD_LIMIT_S = 120.0
"""How long starting a worker and loading a batch of calls (importing modules) may take."""
MAX_BATCH = 16
"""Most calls sent to a worker in one message."""


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
        kind, value = pickle.loads(reply)
    except Exception as exc:
        future.set_exception(EvaluationError(f"cannot read the worker's result: {exc}"))
        return
    if kind == "ok":
        future.set_result(value)
    else:
        future.set_exception(value)


class _Worker:
    """One worker process and the pipe to it, driven by one dispatcher thread."""

    def __init__(
        self,
        context: multiprocessing.context.BaseContext,
        name: str,
        initializer: Callable[[], object] | None,
    ) -> None:
        parent_end, child_end = context.Pipe()
        self.connection = parent_end
        # Not a daemon, so that a reward running in a worker may use a pool of its own; the
        # worker watches this process instead and exits when it is gone.
        self.process = context.Process(  # type: ignore[attr-defined]
            target=worker_main,
            args=(child_end, initializer, os.getpid()),
            name=name,
            daemon=False,
        )
        self.process.start()
        child_end.close()

    def call(self, tasks: list[_Task]) -> list[_Task]:
        """Run ``tasks`` in order, settling each one's future as soon as its reply arrives.

        Returns:
            The tasks that did not run because the worker was lost (killed after a time-out,
            or dead) while running an earlier one, which got the error: they may run elsewhere.
        """
        payloads = []
        for task in tasks:
            try:
                payloads.append(pickle.dumps((task.func, task.args, task.kwargs)))
            except BaseException as exc:  # e.g. the call's arguments cannot be pickled
                task.future.set_exception(exc)
        tasks = [task for task in tasks if not task.future.done()]
        if not tasks:
            return []
        self.connection.send_bytes(pickle.dumps(payloads))
        problem: EvaluationError = EvaluationTimeout(
            f"the worker could not start the call within {LOAD_LIMIT_S:g} s "
            "(importing its module hung?); the worker process was killed"
        )
        try:
            started = self._wait(LOAD_LIMIT_S) and self._receive() == STARTED
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

    def _reply(self, task: _Task) -> bytes:
        """The reply to ``task``, which has just started; raises when the worker is lost."""
        if not self._wait(task.timeout):
            self.kill()
            raise EvaluationTimeout(
                f"timed out after {task.timeout:g} s; the worker process was killed"
            )
        return self._receive()

    def _wait(self, timeout: float | None) -> bool:
        try:
            return self.connection.poll(timeout)
        except (EOFError, OSError):
            return True  # the worker is gone: _receive reports it

    def _receive(self) -> bytes:
        try:
            return self.connection.recv_bytes()
        except (EOFError, OSError):
            self.process.join(timeout=5)
            raise WorkerCrashed(
                f"the worker process died while evaluating (exit code {self.process.exitcode})"
            ) from None

    def kill(self) -> None:
        """Kill the process (it may be stuck in C code that ignores every polite signal)."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.connection.close()


class WorkerPool:
    """A fixed number of worker processes running picklable calls with optional time limits.

    Args:
        workers: Number of worker processes (default: the number of CPUs).
        name: Prefix of the worker process names, shown by ``ps``.
        initializer: Picklable function each worker runs once when it starts, outside any time
            limit (to import heavy modules before the first timed call, for example).
    """

    def __init__(
        self,
        workers: int | None = None,
        *,
        name: str = "reward-kit-worker",
        initializer: Callable[[], object] | None = None,
    ) -> None:
        if workers is not None and workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.size = workers or os.cpu_count() or 1
        self.name = name
        self._context = multiprocessing.get_context("forkserver")
        self._tasks: queue.SimpleQueue[_Task | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False
        self._abandoned = False
        self._initializer = initializer
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
            batch = pending or self._next_batch()
            pending = []
            if batch is None:
                stopping = True
                continue
            if not batch:
                continue
            if any(task.alone for task in batch) and len(batch) > 1:
                batch, pending = batch[:1], batch[1:]
            try:
                if worker is None or not worker.process.is_alive():
                    worker = _Worker(self._context, f"{self.name}-{index}", self._initializer)
                    self._workers[index] = worker
                pending += worker.call(batch)
            except BaseException as exc:  # the worker could not be started
                for task in batch:
                    if not task.future.done():
                        task.future.set_exception(exc)
            if worker is not None and not worker.process.is_alive():
                worker = None
        if worker is not None:
            worker.kill()

    def _next_batch(self) -> list[_Task] | None:
        """The next queued calls to send to one worker (``None``: the pool is shutting down).

        Waits for one call, then takes up to a fair share of those still queued, so that the
        other workers get theirs.
        """
        task = self._tasks.get()
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
    """Stop every pool at exit, before multiprocessing waits for its non-daemon children."""
    with _shared_lock:
        _shared.clear()
    for pool in list(_all_pools):
        pool.shutdown(wait=False)


def _forget_pools_after_fork() -> None:
    _shared.clear()  # the dispatcher threads did not survive the fork
    _all_pools.clear()


atexit.register(_shutdown_all_pools)
os.register_at_fork(after_in_child=_forget_pools_after_fork)
