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
import os
import queue
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Protocol, TypeVar

from reward_kit._loop_future import LoopFuture
from reward_kit._pickling import dumps
from reward_kit._worker_handle import (
    CannotSendCall,
    Functions,
    Launcher,
    Task,
    Worker,
)
from reward_kit.errors import WorkerCrashed

__all__ = ["CallPool", "CannotSendCall", "Launcher", "WorkerPool", "shared_pool"]

T = TypeVar("T")

MAX_BATCH = 16
"""Most calls sent to a worker in one message."""
_IDLE: list[Any] = []
"""What a dispatcher gets when no call came within the pool's idle time-out."""


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
        self._tasks: queue.SimpleQueue[Task | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False
        self._abandoned = False
        self._initializer = dumps(initializer)
        self._launcher = launcher
        self._idle_timeout = idle_timeout
        self._output_limit = output_limit
        self._functions = Functions()
        self._workers: dict[int, Worker] = {}
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
        worker: Worker | None = None
        pending: list[Task] = []  # started, but their worker was lost before they ran
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
                    worker = Worker(
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

    def _next_batch(self, idle_timeout: float | None) -> list[Task] | None:
        """The next queued calls to send to one worker (``None``: the pool is shutting down).

        Waits for one call (``_IDLE`` if none came within ``idle_timeout``), then takes up to
        a fair share of those still queued, so that the other workers get theirs.
        """
        try:
            task = self._tasks.get(timeout=idle_timeout)
        except queue.Empty:
            return _IDLE
        batch: list[Task] = []
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
        self._queue(Task(func, args, kwargs, timeout, future))
        return future

    def _queue(self, task: Task) -> None:
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
        self._queue(Task(func, args, kwargs, timeout, future))
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
