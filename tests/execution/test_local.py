"""LocalExecutor's interface: results, limits, batch and async use, isolation choice."""

from __future__ import annotations

import asyncio
import warnings
from pathlib import Path

import pytest

from reward_kit.execution import (
    ExecutionJob,
    LocalExecutor,
    SandboxUnavailableError,
    SandboxWarning,
    local,
)
from reward_kit.execution._sandbox import _bwrap
from tests.execution.conftest import assert_still_works


def test_result_fields(executor: LocalExecutor) -> None:
    result = executor.run("import sys\nprint('out')\nprint('err', file=sys.stderr)\nsys.exit(3)")
    assert (result.status, result.exit_code) == ("error", 3)
    assert (result.stdout, result.stderr) == ("out\n", "err\n")
    assert result.limits is not None and result.limits.isolation == executor.isolation
    assert result.duration_s > 0


def test_stdin_files_and_python_semantics(executor: LocalExecutor) -> None:
    code = (
        "import helper, sys\n"
        "print(helper.VALUE, input(), open('data/in.txt').read(), __name__)\n"
        "print(sys.flags.no_site, sys.flags.isolated)"
    )
    result = executor.run(
        code, stdin="typed\n", files={"helper.py": "VALUE = 7\n", "data/in.txt": b"bytes"}
    )
    assert result.stdout == "7 typed bytes __main__\n1 1\n", result


def test_uncaught_exception_and_system_exit_message(executor: LocalExecutor) -> None:
    raised = executor.run("raise KeyError('k')")
    assert raised.status == "error" and raised.exit_code == 1
    assert raised.stderr.startswith("Traceback") and "KeyError: 'k'" in raised.stderr
    assert "run_python" not in raised.stderr  # the harness frame is hidden
    message = executor.run("raise SystemExit('bye')")
    assert (message.exit_code, message.stderr) == (1, "bye\n")


def test_javascript(executor: LocalExecutor) -> None:
    code = "const lines = require('fs').readFileSync(0, 'utf8').trim().split('\\n');"
    code += "console.log(lines.map(Number).reduce((a, b) => a + b, 0))"
    result = executor.run(code, language="javascript", stdin="1\n2\n3\n")
    assert (result.status, result.stdout) == ("ok", "6\n"), result
    failing = executor.run("throw new Error('boom')", language="js")
    assert failing.status == "error" and "boom" in failing.stderr


def test_batch_keeps_input_order_and_mixes_outcomes(executor: LocalExecutor) -> None:
    jobs = [
        ExecutionJob(f"import time; time.sleep({0.3 - i * 0.05}); print({i})") for i in range(6)
    ]
    jobs.append(ExecutionJob("while True: pass", timeout=0.5))
    results = executor.run_batch([*jobs, {"code": "print('dict job')"}])
    assert [r.stdout for r in results[:6]] == [f"{i}\n" for i in range(6)]
    assert results[6].status == "timeout"
    assert results[7].stdout == "dict job\n"


def test_async_twin_from_a_running_loop(executor: LocalExecutor) -> None:
    async def main() -> list[str]:
        single = await executor.arun("print('a')")
        many = await executor.arun_batch([ExecutionJob("print('b')"), ExecutionJob("print('c')")])
        return [single.stdout, *(r.stdout for r in many)]

    assert asyncio.run(main()) == ["a\n", "b\n", "c\n"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"timeout": 0}, "timeout"),
        ({"memory_mb": 1}, "memory_mb"),
        ({"language": "cobol"}, "unsupported language 'cobol'"),
        ({"files": {"../x": "y"}}, "relative path"),
        ({"files": {"/etc/x": "y"}}, "relative path"),
    ],
)
def test_bad_jobs_are_refused_clearly(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ExecutionJob("print(1)", **kwargs)  # type: ignore[arg-type]


def test_isolation_must_be_known() -> None:
    with pytest.raises(ValueError, match="isolation"):
        LocalExecutor("docker")  # type: ignore[arg-type]


def test_without_bwrap_auto_warns_once_and_bwrap_fails_loudly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_bwrap, "bwrap_candidates", lambda: [])
    monkeypatch.setattr(local, "_warned_fallback", False)
    with pytest.raises(SandboxUnavailableError, match="no bwrap found"):
        _ = LocalExecutor("bwrap").isolation
    with pytest.warns(SandboxWarning, match="network"):
        first = LocalExecutor("auto")
        assert first.isolation == "rlimits"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert LocalExecutor("auto").isolation == "rlimits"
    with first:
        assert first.run("print(1)").stdout == "1\n"


def test_a_broken_interpreter_is_a_sandbox_error_not_a_failure() -> None:
    with LocalExecutor("rlimits", python="/nonexistent/python3") as executor:
        result = executor.run("print(1)")
    assert result.status == "sandbox_error"
    assert result.error


def test_close_removes_the_temporary_directory() -> None:
    executor = LocalExecutor("rlimits")
    executor.run("print(1)")
    base = executor._base
    assert base.exists()
    executor.close()
    assert not base.exists()


def test_a_forked_child_starts_its_own_server_and_leaves_the_parents_alone() -> None:
    import os

    with LocalExecutor("auto") as executor:
        assert_still_works(executor)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+: fork with threads
            pid = os.fork()
        if pid == 0:
            try:
                ok = executor.run("print('child')").stdout == "child\n"
                executor.close()
            finally:
                os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert executor._base.exists()
        assert_still_works(executor)


def test_rlimits_as_root_refuses_a_runtime_nobody_cannot_read(tmp_path: Path) -> None:
    import os
    import sys

    if os.geteuid() != 0:
        pytest.skip("only root drops jobs to nobody")
    private = tmp_path / "private"
    (private / "bin").mkdir(parents=True)
    private.chmod(0o700)
    python = private / "bin" / "python3"
    python.symlink_to(sys.executable)
    with LocalExecutor("rlimits", python=str(python)) as executor:
        executor.python = str(python)  # keep the unresolved path inside the private dir
        result = executor.run("print(1)")
        assert executor.python == str(python)  # an explicit choice is never swapped
    assert result.status == "sandbox_error" and "nobody" in (result.error or "")


def test_rlimits_as_root_with_an_explicit_readable_python() -> None:
    import os

    if os.geteuid() != 0 or not os.path.exists("/usr/bin/python3"):
        pytest.skip("needs root and /usr/bin/python3")
    with LocalExecutor("rlimits", python="/usr/bin/python3") as executor:
        result = executor.run(
            "import os, helper; print(helper.X, os.getuid())", files={"helper.py": "X = 5"}
        )
    assert (result.status, result.stdout) == ("ok", "5 65534\n"), result


def test_a_process_that_never_closes_its_executor_exits_cleanly(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    script = (
        "from reward_kit.execution import LocalExecutor\n"
        "executor = LocalExecutor()\n"
        "print(executor.run('print(1)').stdout.strip(), executor._base)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr
    printed, base = done.stdout.split()
    assert printed == "1" and not Path(base).exists()


def test_work_dirs_of_killed_processes_are_swept() -> None:
    import subprocess
    import tempfile

    gone_pid = subprocess.Popen(["true"])
    gone_pid.wait()
    stale = Path(tempfile.gettempdir()) / f"reward-kit-exec-{gone_pid.pid}-stale"
    stale.mkdir()
    (stale / "left-over").write_text("x")
    LocalExecutor("rlimits").close()
    assert not stale.exists()
