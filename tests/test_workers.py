"""Tests of the killable worker pool that enforces every time limit."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from reward_kit._workers import WorkerPool, shared_pool
from reward_kit.errors import EvaluationError, EvaluationTimeout, WorkerCrashed


def square(x: int) -> int:
    return x * x


def spin_forever() -> None:
    while True:
        pass


def sleep_in_c_ignoring_signals() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    time.sleep(3600)


def exit_abruptly() -> None:
    os._exit(7)


def raise_value_error() -> None:
    raise ValueError("bad input at row 3")


class Unpicklable(Exception):
    def __init__(self, a: int, b: int) -> None:  # pickling calls __init__ with one argument
        super().__init__(a)
        self.b = b


def raise_unpicklable() -> None:
    raise Unpicklable(1, 2)


def return_lock() -> threading.Lock:
    return threading.Lock()


def worker_pid() -> int:
    return os.getpid()


@pytest.fixture(scope="module")
def pool() -> WorkerPool:
    with WorkerPool(2, name="test-pool") as pool:
        yield pool


def test_calls_run_in_worker_processes(pool: WorkerPool) -> None:
    assert pool.run(square, 7) == 49
    assert pool.run(worker_pid) != os.getpid()
    futures = [pool.submit(square, i) for i in range(200)]
    assert [f.result() for f in futures] == [i * i for i in range(200)]


@pytest.mark.parametrize("func", [spin_forever, sleep_in_c_ignoring_signals])
def test_a_stuck_call_is_killed_and_the_worker_replaced(pool: WorkerPool, func: object) -> None:
    started = time.monotonic()
    with pytest.raises(EvaluationTimeout, match="timed out after 0.5 s"):
        pool.run(func, timeout=0.5)  # type: ignore[arg-type]
    assert time.monotonic() - started < 10
    assert pool.run(square, 3) == 9


def test_time_limit_holds_from_threads_and_event_loops(pool: WorkerPool) -> None:
    errors: list[BaseException] = []

    def in_thread() -> None:
        try:
            pool.run(spin_forever, timeout=0.3)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=in_thread)
    thread.start()
    thread.join(timeout=30)
    assert isinstance(errors[0], EvaluationTimeout)

    async def in_loop() -> None:
        with pytest.raises(EvaluationTimeout):
            await pool.arun(spin_forever, timeout=0.3)

    asyncio.run(in_loop())


def test_a_dying_worker_is_reported_and_replaced(pool: WorkerPool) -> None:
    with pytest.raises(WorkerCrashed, match="exit code 7"):
        pool.run(exit_abruptly)
    assert pool.run(square, 4) == 16


def test_exceptions_keep_their_type_and_message(pool: WorkerPool) -> None:
    with pytest.raises(ValueError, match="bad input at row 3"):
        pool.run(raise_value_error)


def test_foreign_exceptions_and_results_still_report_what_happened(pool: WorkerPool) -> None:
    with pytest.raises(EvaluationError, match="Unpicklable: 1"):
        pool.run(raise_unpicklable)
    with pytest.raises(EvaluationError, match="_thread.lock cannot be sent back"):
        pool.run(return_lock)
    assert pool.run(square, 5) == 25


def test_unpicklable_arguments_fail_that_call_only(pool: WorkerPool) -> None:
    with pytest.raises(Exception, match="pickle"):
        pool.run(square, threading.Lock())
    assert pool.run(square, 6) == 36


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="workers must be at least 1"):
        WorkerPool(0)
    with WorkerPool(1) as pool, pytest.raises(ValueError, match="timeout must be positive"):
        pool.submit(square, 1, timeout=0)


def test_a_shut_down_pool_refuses_work() -> None:
    pool = WorkerPool(1)
    assert pool.run(square, 2) == 4
    pool.shutdown()
    with pytest.raises(RuntimeError, match="shut down"):
        pool.run(square, 2)


def test_shared_pools_are_reused_by_name() -> None:
    assert shared_pool("test-shared", 1) is shared_pool("test-shared", 1)
    assert shared_pool("test-shared", 1) is not shared_pool("test-other", 1)
    assert shared_pool("test-shared", 1).run(square, 9) == 81


def nested_pool_square(x: int) -> int:
    """Runs inside a worker and uses a pool of its own there."""
    return shared_pool("test-nested", 1).run(square, x, timeout=30)


_initialized: list[str] = []


def mark_initialized() -> None:
    _initialized.append("yes")


def initialized_marks() -> list[str]:
    return list(_initialized)


def test_a_call_in_a_worker_may_use_a_pool_of_its_own(pool: WorkerPool) -> None:
    assert pool.run(nested_pool_square, 12, timeout=60) == 144


def test_the_initializer_runs_once_per_worker_outside_the_time_limit() -> None:
    with WorkerPool(1, initializer=mark_initialized) as pool:
        assert pool.run(initialized_marks, timeout=30) == ["yes"]
        assert pool.run(initialized_marks, timeout=30) == ["yes"]


def start_nested_spinner() -> list[int]:
    """In a worker: start a nested pool whose worker spins forever; return both pids."""
    nested = shared_pool("test-nested-spin", 1)
    nested_pid = nested.run(os.getpid)
    nested.submit(spin_forever)
    return [os.getpid(), nested_pid]


def test_workers_and_nested_workers_do_not_outlive_the_pool_owner(tmp_path: Path) -> None:
    script = tmp_path / "owner.py"
    script.write_text(
        "import os\n"
        "from reward_kit._workers import WorkerPool\n"
        "from tests.test_workers import spin_forever, start_nested_spinner\n"
        "if __name__ == '__main__':\n"
        "    pool = WorkerPool(2)\n"
        "    pids = pool.run(start_nested_spinner, timeout=60)\n"
        "    pids.append(pool.run(os.getpid))\n"
        "    pool.submit(spin_forever)\n"
        "    pool.submit(spin_forever)\n"
        "    print(*set(pids), flush=True)\n"
        "    os._exit(0)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    completed = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120
    )
    workers = [int(pid) for pid in completed.stdout.split()]
    assert len(workers) >= 2, completed.stderr
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.1)
    assert not [pid for pid in workers if _alive(pid)]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_exiting_normally_does_not_wait_for_a_busy_worker(tmp_path: Path) -> None:
    script = tmp_path / "busy.py"
    script.write_text(
        "import time\n"
        "from reward_kit._workers import shared_pool\n"
        "if __name__ == '__main__':\n"
        "    shared_pool('busy', 1).submit(time.sleep, 3600)\n"
        "    time.sleep(1)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    started = time.monotonic()
    subprocess.run([sys.executable, str(script)], env=env, timeout=60, check=True)
    assert time.monotonic() - started < 30


class SlowToUnpickle:
    """An argument whose unpickling takes a while, as importing a heavy module does."""

    def __reduce__(self) -> tuple[object, tuple[float]]:
        return time.sleep, (1.5,)


def test_loading_a_call_does_not_count_against_its_time_limit(pool: WorkerPool) -> None:
    assert pool.run(_ignore_first, SlowToUnpickle(), 5, timeout=1.0) == 5


def _ignore_first(_: object, value: int) -> int:
    return value


class FailsToUnpickle:
    """An argument that pickles here but cannot be unpickled in the worker."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return _refuse, ("no such resource",)


def _refuse(message: str) -> None:
    raise LookupError(message)


def _busy_worker_then(pool: WorkerPool, calls: list[tuple[object, ...]], timeout: float) -> list:
    """Submit ``calls`` while the only worker is busy, so that they queue up and go in batches."""
    blocker = pool.submit(time.sleep, 0.5)
    futures = [pool.submit(func, *args, timeout=timeout) for func, *args in calls]  # type: ignore[arg-type]
    blocker.result(timeout=60)
    outcomes: list[object] = []
    for future in futures:
        try:
            outcomes.append(future.result(timeout=60))
        except Exception as exc:
            outcomes.append(exc)
    return outcomes


def test_queued_calls_each_keep_their_own_time_limit() -> None:
    with WorkerPool(1, name="test-batch-limits") as pool:
        outcomes = _busy_worker_then(pool, [(_sleep_then, 0.2, i) for i in range(12)], 1.0)
    assert outcomes == list(range(12))  # 2.4 s in all: each limit counts from its own start


def _sleep_then(seconds: float, value: int) -> int:
    time.sleep(seconds)
    return value


def test_a_failing_queued_call_fails_alone() -> None:
    calls: list[tuple[object, ...]] = [(square, i) for i in range(20)]
    calls[3] = (spin_forever,)
    calls[8] = (exit_abruptly,)
    calls[12] = (raise_value_error,)
    calls[15] = (square, FailsToUnpickle())
    calls[17] = (square, threading.Lock())
    with WorkerPool(1, name="test-batch-failures") as pool:
        outcomes = _busy_worker_then(pool, calls, 0.5)
    assert isinstance(outcomes[3], EvaluationTimeout)
    assert isinstance(outcomes[8], WorkerCrashed)
    assert isinstance(outcomes[12], ValueError)
    assert isinstance(outcomes[15], LookupError) and "no such resource" in str(outcomes[15])
    assert isinstance(outcomes[17], Exception) and "pickle" in str(outcomes[17])
    failed = {3, 8, 12, 15, 17}
    assert [outcomes[i] for i in range(20) if i not in failed] == [
        i * i for i in range(20) if i not in failed
    ]


def test_a_call_whose_batch_cannot_load_is_retried_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("reward_kit._worker_handle.LOAD_LIMIT_S", 1.0)
    calls: list[tuple[object, ...]] = [(_ignore_first, None, i) for i in range(6)]
    calls[2] = (_ignore_first, SlowToUnpickle(), 2)  # loads in 1.5 s: past the load limit
    with WorkerPool(1, name="test-batch-load") as pool:
        outcomes = _busy_worker_then(pool, calls, 5.0)
    assert isinstance(outcomes[2], EvaluationTimeout) and "could not start" in str(outcomes[2])
    assert [outcomes[i] for i in (0, 1, 3, 4, 5)] == [0, 1, 3, 4, 5]


def _touch(path: str) -> None:
    Path(path).touch()


def test_an_awaited_call_cancelled_while_queued_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "ran"

    async def cancel_while_queued() -> None:
        busy = asyncio.ensure_future(pool.arun(time.sleep, 0.5))
        queued = asyncio.ensure_future(pool.arun(_touch, str(marker)))
        await asyncio.sleep(0.1)
        queued.cancel()
        await busy
        with pytest.raises(asyncio.CancelledError):
            await queued
        assert await pool.arun(square, 3) == 9

    with WorkerPool(1, name="test-cancel") as pool:
        asyncio.run(cancel_while_queued())
    assert not marker.exists()


GUARDLESS_SCRIPT = """\
from reward_kit import EvaluateResult, reward_function
from reward_kit.integrations.trl import create_trl_adapter
from reward_kit.rewards.math import math_reward
from reward_kit.scoring import score_batch

print("TOP LEVEL RAN", flush=True)
conversation = [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}]
direct = math_reward(messages=conversation, ground_truth="4")
print("math", direct.score, direct.is_score_valid, direct.error)


@reward_function
def is_four(messages, ground_truth=None, **kwargs):
    return EvaluateResult(score=float(messages[-1].content == "4"))


def make_reward(threshold):
    def longer_than(messages, ground_truth=None, **kwargs):
        return EvaluateResult(score=float(len(messages[-1]["content"]) > threshold))

    return longer_than


samples = [{"messages": conversation}, {"messages": [*conversation[:1], {"role": "assistant",
    "content": "five"}]}]
print("batch", [r.score for r in score_batch(is_four, samples, workers=2)])
print("closure", [r.score for r in score_batch(make_reward(2), samples, workers=2)])
adapter = create_trl_adapter(is_four, workers=2)
print("trl", adapter(prompts=["2+2?", "2+2?"], completions=["4", "5"]))
threshold = 3


def longer_than_threshold(messages, ground_truth=None, **kwargs):
    return EvaluateResult(score=float(len(messages[-1]["content"]) > threshold))


print("global", [r.score for r in score_batch(longer_than_threshold, samples, workers=2)])
threshold = 0
print("global", [r.score for r in score_batch(longer_than_threshold, samples, workers=2)])
"""
EXPECTED_LINES = [
    "TOP LEVEL RAN",
    "math 1.0 True None",
    "batch [1.0, 0.0]",
    "closure [0.0, 1.0]",
    "trl [1.0, 0.0]",
    "global [0.0, 1.0]",
    "global [1.0, 1.0]",
]


def _run_user_code(argv: list[str], cwd: Path, stdin: str | None = None) -> str:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    completed = subprocess.run(
        argv, cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=180
    )
    assert completed.returncode == 0, completed.stderr
    assert (completed.stdout + completed.stderr).count("TOP LEVEL RAN") == 1, completed.stderr
    return completed.stdout


@pytest.mark.slow
def test_a_script_without_a_main_guard_runs_its_top_level_once(tmp_path: Path) -> None:
    script = tmp_path / "guardless.py"
    script.write_text(GUARDLESS_SCRIPT)
    output = _run_user_code([sys.executable, str(script)], tmp_path)
    assert output.splitlines() == EXPECTED_LINES


@pytest.mark.slow
def test_code_piped_into_python_works_as_in_a_notebook(tmp_path: Path) -> None:
    output = _run_user_code([sys.executable, "-"], tmp_path, stdin=GUARDLESS_SCRIPT)
    assert output.splitlines() == EXPECTED_LINES


def return_sys_path() -> list[str]:
    return list(sys.path)


def test_workers_see_the_callers_import_path(tmp_path: Path, pool: WorkerPool) -> None:
    assert str(Path(__file__).resolve().parents[1]) in pool.run(return_sys_path)


class ReduceToEval(Exception):
    """An exception that, if unpickled, would run code in the process that reads it."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return eval, ("__import__('os').environ.__setitem__('RK_PWNED', '1')",)


def raise_reduce_to_eval() -> None:
    raise ReduceToEval("boom")


def test_replies_are_data_never_unpickled(pool: WorkerPool) -> None:
    with pytest.raises(EvaluationError, match="ReduceToEval: boom"):
        pool.run(raise_reduce_to_eval)
    assert "RK_PWNED" not in os.environ


def print_and_return(value: int) -> int:
    print("noise on stdout", value)
    return value


def test_prints_in_a_call_do_not_corrupt_its_reply(pool: WorkerPool) -> None:
    assert pool.run(print_and_return, 11) == 11


def test_idle_workers_are_stopped_and_started_again_on_demand() -> None:
    with WorkerPool(1, name="test-idle", idle_timeout=0.3) as pool:
        first = pool.run(worker_pid, timeout=30)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and _alive(first):
            time.sleep(0.1)
        assert not _alive(first)
        second = pool.run(worker_pid, timeout=30)
        assert second != first and pool.run(square, 3) == 9
