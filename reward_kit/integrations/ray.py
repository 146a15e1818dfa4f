"""Scoring on Ray: the worker pool's seam (``arun``, ``shutdown``) with Ray tasks behind it.

``Scorer(executor="ray")``, ``score_batch(..., executor="ray")`` and ``reward-kit run ...
scoring.executor=ray`` send each sync reward call to a Ray task instead of a local worker
process, so scoring spreads over every node of a cluster. The rules of the process pool hold:

- Calls travel pickled by reward-kit's pickler (functions of ``__main__`` and closures by value,
  of importable modules by reference); each function is put in the object store once.
- The task answers in JSON (``reward_kit._wire_values``), never pickle: the Ray worker ran user
  code, so its reply is data that the driver decodes, exactly like a worker process's.
- Time limits are enforced from outside the call: the task reports when it starts and when its
  call is loaded (unpickled, its modules imported), and a call that runs past its limit from
  then is cancelled with ``ray.cancel(force=True)``, which kills its Ray worker, and reported
  as :class:`~reward_kit.errors.EvaluationTimeout`. Time queued in Ray is not counted, and
  loading has the process pool's own limit.
- A Ray worker or node that dies mid-call is retried (``max_retries``), then reported as
  :class:`~reward_kit.errors.WorkerCrashed`.

Ray is an extra (``pip install 'reward-kit[ray]'``), imported only when this pool is first used.
"""

from __future__ import annotations

import asyncio
import hashlib
import pickle
import sys
import threading
import traceback
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from reward_kit._pickling import dumps
from reward_kit._wire_values import decode_value
from reward_kit._worker_handle import LOAD_LIMIT_S, CannotSendCall, Functions
from reward_kit._worker_process import CACHED_FUNCTIONS, STARTED, _run_call
from reward_kit.errors import EvaluationError, EvaluationTimeout, WorkerCrashed

__all__ = ["RayPool", "shared_ray_pool"]

T = TypeVar("T")

_INSTALL = "the Ray executor needs Ray: pip install 'reward-kit[ray]'"
_RUNNING = b"R"
"""What a task yields first, as soon as it runs (``STARTED`` follows once its call is loaded)."""


def import_ray() -> Any:
    """The ``ray`` module, or an ImportError saying how to install it."""
    try:
        import ray
    except ImportError as exc:
        raise ImportError(_INSTALL) from exc
    return ray


# --- the Ray worker's side --------------------------------------------------------------------

_loaded: OrderedDict[str, Any] = OrderedDict()
"""Functions this Ray worker process has unpickled, by content digest, first-in first-out."""


def _load_call(sys_path: list[str], digest: str, function: bytes, arguments: bytes) -> Any:
    """``(func, args, kwargs)``, or the exception and traceback that stopped loading them."""
    try:
        sys.path.extend(entry for entry in sys_path if entry not in sys.path)
        func = _loaded.get(digest)
        if func is None:
            func = _loaded[digest] = pickle.loads(function)
            while len(_loaded) > CACHED_FUNCTIONS:
                _loaded.popitem(last=False)
        args, kwargs = pickle.loads(arguments)
        return func, args, kwargs
    except BaseException as exc:  # reported to the caller, like any failure of the call
        return exc, traceback.format_exc()


def _task(sys_path: list[str], digest: str, function: bytes, arguments: bytes) -> Iterator[bytes]:
    """The Ray task (a streaming generator): ``_RUNNING``, ``STARTED``, the call's JSON reply."""
    yield _RUNNING
    call = _load_call(sys_path, digest, function, arguments)
    yield STARTED
    yield _run_call(call)


# --- the driver's side ------------------------------------------------------------------------

_init_lock = threading.Lock()


def _ensure_ray(address: str | None) -> Any:
    """Ray, connected: to ``address``, or (``None``) to ``RAY_ADDRESS`` or a new local Ray."""
    ray = import_ray()
    with _init_lock:
        if not ray.is_initialized():
            ray.init(address=address, ignore_reinit_error=True)
    return ray


class RayPool:
    """Runs calls as Ray tasks with time limits; a drop-in for ``WorkerPool`` in ``Scorer``.

    Args:
        address: The Ray cluster to connect to when Ray is not initialized yet: ``"auto"``
            (the cluster of this node), ``"ray://host:10001"`` (Ray Client), or ``None``:
            ``RAY_ADDRESS`` if set, else a new local Ray (stopped at exit). A Ray already
            initialized by the caller (``ray.init(...)``) is used as it is.
        num_cpus_per_task: CPUs Ray reserves for each call (fractions allowed).
        max_in_flight: Calls submitted to Ray at once per event loop; more wait in the driver
            (default: twice the cluster's CPUs over ``num_cpus_per_task``).
        max_retries: Times a call is run again when its Ray worker or node dies.
    """

    def __init__(
        self,
        *,
        address: str | None = None,
        num_cpus_per_task: float = 1.0,
        max_in_flight: int | None = None,
        max_retries: int = 1,
    ) -> None:
        if num_cpus_per_task <= 0:
            raise ValueError(f"num_cpus_per_task must be positive, got {num_cpus_per_task}")
        if max_in_flight is not None and max_in_flight < 1:
            raise ValueError(f"max_in_flight must be at least 1, got {max_in_flight}")
        if max_retries < 0:
            raise ValueError(f"max_retries must not be negative, got {max_retries}")
        self.address = address
        self.num_cpus_per_task = num_cpus_per_task
        self.max_in_flight = max_in_flight
        self.max_retries = max_retries
        self._functions = Functions()
        self._refs: OrderedDict[int, tuple[str, Any]] = OrderedDict()
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )
        self._running: set[Any] = set()
        self._remote: Any = None
        self._sys_path: list[str] = []
        self._lock = threading.Lock()
        self._closed = False

    def _start(self) -> Any:
        """Ray, connected, and this pool's remote function (made on first use)."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the Ray pool has been shut down")
            ray = _ensure_ray(self.address)
            if self._remote is None:
                if self.max_in_flight is None:
                    cpus = float(ray.cluster_resources().get("CPU", 1.0))
                    self.max_in_flight = max(1, int(2 * cpus / self.num_cpus_per_task))
                self._sys_path = [entry for entry in sys.path if entry]
                self._remote = ray.remote(_task).options(
                    num_cpus=self.num_cpus_per_task,
                    max_retries=self.max_retries,
                    name="reward_kit_call",
                )
            return ray

    def _function(self, ray: Any, func: Callable[..., Any]) -> tuple[str, Any]:
        """The function's digest and object-store reference (put there once)."""
        key, encoded = self._functions.encode(func)
        with self._lock:
            known = self._refs.get(key)
            if known is None:
                known = self._refs[key] = (hashlib.blake2b(encoded).hexdigest(), ray.put(encoded))
                while len(self._refs) > CACHED_FUNCTIONS:
                    self._refs.popitem(last=False)
            return known

    def _slot(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        slots = self._slots.get(loop)
        if slots is None:
            slots = self._slots[loop] = asyncio.Semaphore(self.max_in_flight or 1)
        return slots

    async def arun(
        self, func: Callable[..., T], *args: Any, timeout: float | None = None, **kwargs: Any
    ) -> T:
        """Run ``func(*args, **kwargs)`` as a Ray task; its time limit counts from its start.

        Raises:
            EvaluationTimeout: The call ran past ``timeout``; its task was force-cancelled.
            WorkerCrashed: Its Ray worker (or node) died, and so did every retry.
            CannotSendCall: The function or its arguments cannot be pickled.
        """
        if timeout is not None and timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout}")
        ray = self._start()
        digest, function = self._function(ray, func)
        try:
            arguments = dumps((args, kwargs))
        except Exception as exc:
            raise CannotSendCall(
                f"the arguments of {func!r} cannot be pickled for a Ray task "
                f"({type(exc).__name__}: {exc})"
            ) from None
        async with self._slot():
            stream = self._remote.remote(self._sys_path, digest, function, arguments)
            self._running.add(stream)
            try:
                reply = await self._reply(ray, stream, timeout)
            finally:
                self._running.discard(stream)
        result: T = decode_value(reply)
        return result

    async def _reply(self, ray: Any, stream: Any, timeout: float | None) -> bytes:
        """The task's reply, within ``timeout`` of its call's start (queueing is not counted)."""
        loaded = False
        try:
            await _next(stream)  # running
            await asyncio.wait_for(_next(stream), LOAD_LIMIT_S)
            loaded = True  # the call's clock starts now
            return await asyncio.wait_for(_next(stream), timeout)
        except asyncio.TimeoutError:
            ray.cancel(stream, force=True)
            if not loaded:
                raise EvaluationTimeout(
                    f"the Ray task could not load the call within {LOAD_LIMIT_S:g} s (importing "
                    "its module hung?); it was cancelled and its worker killed"
                ) from None
            raise EvaluationTimeout(
                f"timed out after {timeout:g} s (the Ray task was cancelled and its worker killed)"
            ) from None
        except asyncio.CancelledError:
            ray.cancel(stream, force=True)
            raise
        except ray.exceptions.RayError as exc:
            raise _describe(ray, exc, self.max_retries) from None

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop taking calls; ``wait=False`` also cancels the running ones (force).

        Ray itself is left running: it may be the caller's, and a local Ray this pool started
        stops when the process exits.
        """
        with self._lock:
            self._closed = True
            running = list(self._running)
        if not wait and running:
            ray = import_ray()
            for stream in running:
                ray.cancel(stream, force=True)


async def _next(stream: Any) -> bytes:
    """The next item a streaming Ray task yields."""
    ref = await stream.__anext__()
    value: bytes = await ref
    return value


def _describe(ray: Any, exc: Exception, retries: int) -> EvaluationError:
    """A Ray failure as reward-kit's error: a dead worker or node is a ``WorkerCrashed``."""
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    lost = (
        ray.exceptions.WorkerCrashedError,
        ray.exceptions.NodeDiedError,
        ray.exceptions.TaskCancelledError,
        ray.exceptions.ObjectLostError,
        ray.exceptions.OutOfMemoryError,
    )
    if isinstance(exc, lost):
        tries = f" (tried {retries + 1} times)" if retries else ""
        return WorkerCrashed(f"the Ray worker running the call died{tries}: {first_line}")
    return EvaluationError(f"Ray failed to run the call: {type(exc).__name__}: {first_line}")


_shared_lock = threading.Lock()
_shared: dict[tuple[str | None, float, int | None], RayPool] = {}


def shared_ray_pool(
    address: str | None = None, num_cpus_per_task: float = 1.0, max_in_flight: int | None = None
) -> RayPool:
    """A process-wide ``RayPool`` for these settings, made on first use (see :class:`RayPool`)."""
    key = (address, num_cpus_per_task, max_in_flight)
    with _shared_lock:
        pool = _shared.get(key)
        if pool is None:
            pool = _shared[key] = RayPool(
                address=address, num_cpus_per_task=num_cpus_per_task, max_in_flight=max_in_flight
            )
        return pool
