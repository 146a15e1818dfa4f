"""Attacks that model-written Python code might try; each must be contained.

These run the attacks for real against the sandbox. After each one the host is checked and the
same executor must still run the next job.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

from reward_kit.execution import LocalExecutor
from tests._support.processes import descendants, eventually, processes_with
from tests.execution.conftest import SECRET, assert_still_works

ENV_LEAKS = [
    "import os; print(dict(os.environ))",
    "print(open('/proc/self/environ', 'rb').read())",
    "import os; print(open(f'/proc/{os.getppid()}/environ', 'rb').read())",
    "print(open('/proc/1/environ', 'rb').read())",
    "import os\nfor p in os.listdir('/proc'):\n"
    "    try: print(open(f'/proc/{p}/environ', 'rb').read())\n    except Exception: pass",
    "import subprocess; print(subprocess.run(['env'], capture_output=True).stdout)",
    "import os; os.system('env; cat /proc/*/environ')",
    "import ctypes; ctypes.CDLL(None).system(b'env')",
    "import posix; posix.system('env')",
]


@pytest.mark.parametrize("code", ENV_LEAKS)
def test_environment_secrets_are_invisible(executor: LocalExecutor, code: str) -> None:
    result = executor.run(code)
    assert result.status in ("ok", "error"), result
    assert SECRET not in result.stdout + result.stderr
    assert_still_works(executor)


def test_secret_file_outside_the_work_dir_cannot_be_read(
    bwrap_executor: LocalExecutor, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    attempts = [
        f"print(open({str(secret)!r}).read())",
        f"import subprocess; print(subprocess.run(['cat', {str(secret)!r}], capture_output=True))",
        f"import os; os.system('cat {secret}')",
    ]
    for code in attempts:
        result = bwrap_executor.run(code, timeout=10)
        assert SECRET not in result.stdout + result.stderr, code
    # Search the whole visible tree for the file by name (reading every file instead ran into
    # the time limit in /dev and the output cap long before the walk could end).
    search = (
        "import os\nlisted = 0\nfor root, _, files in os.walk('/'):\n"
        "    if root.startswith(('/proc', '/sys')): continue\n"
        "    listed += len(files)\n"
        f"    for f in files:\n        if f == {secret.name!r}:\n"
        "            path = os.path.join(root, f)\n"
        "            try: print(path, open(path, errors='ignore').read())\n"
        "            except OSError as error: print(path, error)\n"
        "print('listed', listed, 'files')"
    )
    result = bwrap_executor.run(search, timeout=20)
    assert result.status == "ok" and result.stdout.startswith("listed "), result
    assert SECRET not in result.stdout + result.stderr
    assert_still_works(bwrap_executor)


def test_host_directories_are_not_visible(bwrap_executor: LocalExecutor) -> None:
    home = Path.home()
    code = (
        "import os\n"
        "print(os.listdir('/tmp'), os.listdir('/proc'))\n"
        f"print(os.path.exists({os.getcwd()!r}), os.path.exists('/home'))\n"
        f"print(os.listdir({str(home)!r}) if os.path.exists({str(home)!r}) else [])"
    )
    result = bwrap_executor.run(code)
    assert result.status == "ok", result
    hidden, absent, home_listing = result.stdout.splitlines()
    assert hidden == "[] []"  # the host's /tmp and every process are hidden
    assert absent == "False False"
    # Only the path down to the Python runtime (mounted read-only) may show in the home dir.
    runtime = Path(bwrap_executor.python).parent.parent
    allowed = [runtime.relative_to(home).parts[0]] if runtime.is_relative_to(home) else []
    assert home_listing == repr(allowed)


def test_writes_outside_the_work_dir_do_not_reach_the_host(
    executor: LocalExecutor, tmp_path: Path
) -> None:
    target = tmp_path / "pwned"
    attempts = [
        f"open({str(target)!r}, 'w').write('x')",
        f"import os; os.chdir('..'); open('../../{target.name}', 'w').write('x')",
        f"import os; os.symlink({str(target)!r}, 'link'); open('link', 'w').write('x')",
        f"import os; os.system('touch {target}')",
    ]
    for code in attempts:
        executor.run(code)
        assert not target.exists(), code
    assert_still_works(executor)


def test_jobs_cannot_leave_files_for_later_jobs(bwrap_executor: LocalExecutor) -> None:
    writer = (
        "import os\n"
        "for d in ('/work', '/tmp', '/dev/shm', '/', '/dev', '/etc'):\n"
        "    try: open(os.path.join(d, 'planted'), 'w').write('x')\n"
        "    except OSError: print('refused', d)"
    )
    reader = (
        "import os\n"
        "print([d for d in ('/work', '/tmp', '/dev/shm', '/', '/dev', '/etc')"
        " if os.path.exists(os.path.join(d, 'planted'))])"
    )
    assert bwrap_executor.run(writer).stdout == "refused /\nrefused /dev\nrefused /etc\n"
    assert bwrap_executor.run(reader).stdout == "[]\n"


def test_network_to_a_host_listener_is_blocked(bwrap_executor: LocalExecutor) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    connected = threading.Event()

    def accept() -> None:
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline and not connected.is_set():
            try:
                listener.accept()[0].close()
                connected.set()
            except OSError:
                continue

    thread = threading.Thread(target=accept)
    thread.start()
    try:
        code = (
            "import socket\n"
            f"s = socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
            "print('connected')"
        )
        result = bwrap_executor.run(code)
        js = (
            "require('net').connect("
            f"{port}, '127.0.0.1', () => console.log('connected')).on('error', e => {{"
            "console.log(String(e)); process.exit(1)})"
        )
        js_result = bwrap_executor.run(js, language="javascript")
    finally:
        connected.set()
        thread.join()
        listener.close()
    assert result.status == "error" and "connected" not in result.stdout, result
    assert js_result.status == "error" and js_result.stdout != "connected\n", js_result


def _sandbox_processes(executor: LocalExecutor) -> set[int]:
    assert executor._server is not None and executor._server.process is not None
    return descendants(executor._server.process.pid)


@pytest.mark.slow
def test_fork_bomb_is_bounded_and_cleaned_up(executor: LocalExecutor) -> None:
    assert_still_works(executor)
    idle = len(_sandbox_processes(executor))  # bwrap's init and the server, or nothing
    code = "import os\nwhile True:\n    try: os.fork()\n    except OSError: pass"
    result = executor.run(code, timeout=3)
    assert result.status in ("timeout", "error"), result
    assert eventually(lambda: len(_sandbox_processes(executor)) <= idle)
    assert_still_works(executor)


LOOPS = {
    "pure_python": "while True: pass",
    "inside_c": "import itertools; sum(itertools.repeat(1, 10**15))",
    "signals_ignored": (
        "import signal\n"
        "for s in (signal.SIGALRM, signal.SIGTERM, signal.SIGXCPU, signal.SIGINT):\n"
        "    signal.signal(s, signal.SIG_IGN)\n"
        "while True: pass"
    ),
    "sleeping": "import time; time.sleep(3600)",
}


@pytest.mark.parametrize("name", sorted(LOOPS))
def test_infinite_loops_time_out(executor: LocalExecutor, name: str) -> None:
    started = time.monotonic()
    result = executor.run(LOOPS[name], timeout=1.0)
    assert result.status == "timeout", result
    assert time.monotonic() - started < 5
    assert_still_works(executor)


@pytest.mark.parametrize(
    "code",
    [
        "x = bytearray(4 * 1024**3)",
        "chunks = []\nwhile True:\n    chunks.append(bytearray(16 * 1024**2))",
    ],
)
def test_memory_bombs_are_stopped(executor: LocalExecutor, code: str) -> None:
    result = executor.run(code, memory_mb=128, timeout=5)
    assert result.status == "memory_exceeded", result
    assert_still_works(executor)


def test_memory_limit_covers_the_whole_process_tree(executor: LocalExecutor) -> None:
    if executor._cgroups is None:
        pytest.skip("no cgroups here: memory is limited per process only")
    code = (
        "import os, time\n"
        "for _ in range(2):\n    os.fork()\n"
        "x = bytearray(60 * 1024**2)\n"
        "for i in range(0, len(x), 4096): x[i] = 1\n"
        "time.sleep(1)\n"
        "while True:\n    try: os.wait()\n    except ChildProcessError: break"
    )
    result = executor.run(code, memory_mb=128, timeout=5)
    assert result.status == "memory_exceeded", result
    assert_still_works(executor)


def test_huge_output_is_truncated_and_flagged(executor: LocalExecutor) -> None:
    result = executor.run("while True: print('x' * 1000)", timeout=5)
    assert result.status == "output_limit", result
    assert result.stdout_truncated
    assert len(result.stdout) == executor.max_output_bytes
    assert_still_works(executor)


DAEMON = (
    "import os, sys\n"
    "if os.fork() == 0:\n"
    "    os.setsid()\n"
    "    if os.fork() == 0:\n"
    "        os.closerange(0, 3)\n"
    "        os.execv('/bin/sleep', ['sleep', '{marker}'])\n"
    "    os._exit(0)\n"
    "print('parent done')"
)


def test_double_forked_daemons_do_not_outlive_the_call(executor: LocalExecutor) -> None:
    marker = f"{4000 + os.getpid() % 1000}.{len(executor.isolation)}"
    result = executor.run(DAEMON.format(marker=marker))
    assert result.stdout == "parent done\n", result
    # bwrap: gone with the job's PID namespace; rlimits: the server's sweep (every 0.5 s).
    assert eventually(lambda: processes_with(marker) == [])
    assert_still_works(executor)


@pytest.mark.parametrize(
    "code",
    [
        "import os, signal; os.kill(os.getppid(), signal.SIGKILL)",
        "import os, signal; os.killpg(0, signal.SIGKILL)",
        "import os, signal; os.kill(-1, signal.SIGKILL)",
        "import os, signal; os.killpg(os.getpgid(os.getppid() or 1), signal.SIGKILL)",
    ],
)
def test_killing_the_parent_or_its_group_is_contained(executor: LocalExecutor, code: str) -> None:
    result = executor.run(code)
    assert result.status in ("ok", "error"), result
    assert_still_works(executor)


def test_a_sandbox_dying_mid_job_is_a_sandbox_error_then_replaced() -> None:
    with LocalExecutor("auto") as executor:
        assert_still_works(executor)
        assert executor._server is not None and executor._server.process is not None
        results = []
        idle = _sandbox_processes(executor)
        job = threading.Thread(
            target=lambda: results.append(executor.run("import time; time.sleep(3); print(1)"))
        )
        job.start()
        # The job is running once the fork server has a process it did not have when idle.
        assert eventually(lambda: bool(_sandbox_processes(executor) - idle)), "job never started"
        os.kill(executor._server.process.pid, 9)
        job.join(timeout=30)
        assert results[0].status == "sandbox_error", results
        assert results[0].stdout == "" and results[0].error
        assert_still_works(executor)
        server = executor._server.process
        os.kill(server.pid, 9)  # dead while idle: replaced before the job
        server.wait(timeout=10)
        assert_still_works(executor)


def test_the_job_cannot_reach_its_own_stdio_files(executor: LocalExecutor) -> None:
    if executor.isolation == "rlimits" and os.geteuid() != 0:
        pytest.skip("rlimits mode protects the stdio files only when it can drop to nobody")
    code = (
        "for name, mode in (('stdin', 'r'), ('stdout', 'w'), ('stderr', 'w')):\n"
        "    for path in ('../' + name, '/jobs/' + name):\n"
        "        try:\n"
        "            stream = open(path, mode)\n"
        "            stream.write('forged') if mode == 'w' else print(stream.read())\n"
        "        except OSError:\n"
        "            pass\n"
        "print('done')"
    )
    result = executor.run(code, stdin="the harness nonce\n")
    assert result.stdout == "done\n", result
