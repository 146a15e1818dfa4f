"""E2BExecutor through the real e2b-code-interpreter SDK against a local stand-in server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reward_kit.execution import CollectFiles, E2BExecutor, ExecutionJob
from tests._servers.e2b_standin import StandInE2B, running_e2b_standin

pytest.importorskip("e2b_code_interpreter")


@pytest.fixture
def standin() -> Iterator[StandInE2B]:
    with running_e2b_standin("e2b_test_key") as server:
        yield server


def _executor(server: StandInE2B, **kwargs: object) -> E2BExecutor:
    connection = {"api_url": server.url, "sandbox_url": server.url, "http_version": "1.1"}
    return E2BExecutor(
        "e2b_test_key",
        connection=connection,
        request_timeout_s=10,
        **kwargs,  # type: ignore[arg-type]
    )


def test_runs_code_and_reports_output(standin: StandInE2B) -> None:
    with _executor(standin) as executor:
        result = executor.run("print(6 * 7)")
        assert (result.status, result.stdout, result.exit_code) == ("ok", "42\n", 0)
        assert result.limits is not None and result.limits.isolation == "e2b"
        failing = executor.run("print('before')\n1 / 0")
        assert failing.status == "error" and failing.stdout == "before\n"
        assert "ZeroDivisionError" in failing.stderr
        echoed = executor.run("print(input()[::-1])", stdin="olleh\n")
        assert echoed.stdout == "hello\n"
    assert standin.sandboxes == {}  # close() killed every sandbox


def test_each_job_gets_a_fresh_context(standin: StandInE2B) -> None:
    with _executor(standin, pool_size=1) as executor:
        assert executor.run("x = 1").status == "ok"
        result = executor.run("print(x)")
        assert result.status == "error" and "NameError" in result.stderr
    assert len(standin.created) == 1  # the sandbox itself was reused


def test_javascript(standin: StandInE2B) -> None:
    with _executor(standin) as executor:
        assert executor.run("console.log(1 + 1)", language="javascript").stdout == "2\n"


@pytest.mark.parametrize(
    "code",
    [
        "import time; time.sleep(30)",
        "import time\nwhile True:\n    print(1, flush=True)\n    time.sleep(0.1)",
    ],
)
def test_timeouts_kill_the_sandbox(standin: StandInE2B, code: str) -> None:
    with _executor(standin) as executor:
        result = executor.run(code, timeout=1.0)
        assert result.status == "timeout", result
        assert result.error is None
        assert len(standin.killed) == 1  # its code may still run: never reused
        assert executor.run("print('next')").stdout == "next\n"


def test_batch_respects_the_pool_bound(standin: StandInE2B) -> None:
    with _executor(standin, pool_size=2) as executor:
        jobs = [ExecutionJob(f"import time; time.sleep(0.2); print({i})") for i in range(6)]
        results = executor.run_batch(jobs)
    assert [r.stdout for r in results] == [f"{i}\n" for i in range(6)]
    assert standin.max_live <= 2


def test_infrastructure_failures_are_sandbox_errors(standin: StandInE2B) -> None:
    bad_key = E2BExecutor(
        "wrong-key", connection={"api_url": standin.url, "sandbox_url": standin.url}
    )
    result = bad_key.run("print(1)")
    assert result.status == "sandbox_error" and result.error and "API key" in result.error
    unreachable = {"api_url": "http://127.0.0.1:9", "sandbox_url": "http://127.0.0.1:9"}
    down = E2BExecutor("e2b_test_key", connection=unreachable, request_timeout_s=2)
    assert down.run("print(1)").status == "sandbox_error"


def test_output_is_capped(standin: StandInE2B) -> None:
    with _executor(standin, max_output_bytes=100) as executor:
        result = executor.run("print('x' * 1000)")
    assert result.status == "output_limit" and result.stdout_truncated
    assert len(result.stdout) == 100


def test_an_expired_pooled_sandbox_is_replaced(standin: StandInE2B) -> None:
    with _executor(standin, pool_size=1) as executor:
        assert executor.run("print(1)").stdout == "1\n"
        standin.sandboxes.clear()  # E2B shut the idle sandbox down behind our back
        result = executor.run("print(2)")
        assert (result.status, result.stdout) == ("ok", "2\n"), result
    assert len(standin.created) == 2


def test_unsupported_jobs_are_refused_clearly(standin: StandInE2B) -> None:
    with _executor(standin) as executor, pytest.raises(ValueError, match="stdin: python only"):
        executor.run("console.log(1)", language="javascript", stdin="x")


def test_collects_the_files_the_program_wrote(standin: StandInE2B) -> None:
    code = (
        "import os\n"
        "os.makedirs('out/deep', exist_ok=True)\n"
        "open('out/a.csv', 'w').write('x,y\\n1,2\\n')\n"
        "open('out/deep/b.csv', 'w').write('3')\n"
        "open('notes.txt', 'w').write('not asked for')\n"
        "print(os.getcwd().endswith(os.path.join('.reward_kit', os.path.basename(os.getcwd()))))"
    )
    with _executor(standin, pool_size=1) as executor:
        result = executor.run(code, collect_files=["out/**/*.csv"])
        assert (result.status, result.stdout) == ("ok", "True\n"), result
        assert result.files == {"out/a.csv": b"x,y\n1,2\n", "out/deep/b.csv": b"3"}
        assert result.files_skipped == {}
        # The job's directory is gone and the next job starts in a fresh one.
        again = executor.run("import os; print(sorted(os.listdir()))", collect_files=["**"])
        assert (again.stdout, again.files) == ("[]\n", {})
    assert {"MakeDir", "ListDir", "Remove"} <= set(standin.rpc_calls)
    assert not any(standin.disk.glob("*/home/user/.reward_kit/*"))


def test_symlinks_and_oversized_files_are_skipped_with_reasons(standin: StandInE2B) -> None:
    code = (
        "import os\n"
        "os.symlink('/etc/hostname', 'link.txt')\n"
        "open('big.bin', 'wb').write(b'x' * 5000)\n"
        "open('small.txt', 'w').write('ok')\n"
        "os.mkfifo('pipe')\n"
    )
    spec = CollectFiles(max_file_bytes=1000)
    with _executor(standin) as executor:
        result = executor.run(code, collect_files=spec)
    assert result.status == "ok", result
    assert result.files == {"small.txt": b"ok"}
    assert result.files_skipped == {
        "big.bin": "5000 bytes, over the 1000-byte limit",
        "link.txt": "symbolic link (not followed)",
    }  # the SDK drops entries of no known type (the FIFO): never listed, never opened


def test_file_count_and_total_limits(standin: StandInE2B) -> None:
    code = "for i in range(4):\n    open(f'f{i}.txt', 'w').write('x' * 10)"
    with _executor(standin) as executor:
        few = executor.run(code, collect_files=CollectFiles(max_files=2))
        small = executor.run(code, collect_files=CollectFiles(max_total_bytes=25))
    assert sorted(few.files) == ["f0.txt", "f1.txt"]
    assert few.files_skipped == {"f2.txt": "more than 2 files", "f3.txt": "more than 2 files"}
    assert sorted(small.files) == ["f0.txt", "f1.txt"]
    assert small.files_skipped["f2.txt"] == "over the 25-byte total limit"


def test_input_files_are_written_to_the_working_directory(standin: StandInE2B) -> None:
    code = (
        "print(open('data/in.csv').read().strip())\n"
        "print(open('raw.bin', 'rb').read())\n"
        "open('out.txt', 'w').write(open('data/in.csv').read().upper())"
    )
    files = {"data/in.csv": "a,b\n", "raw.bin": bytes([0, 255])}
    with _executor(standin) as executor:
        result = executor.run(code, files=files, collect_files=["*.txt"])
        plain = executor.run("print(open('raw.bin', 'rb').read())", files=files)
    assert result.stdout == "a,b\nb'\\x00\\xff'\n", result
    assert result.files == {"out.txt": b"A,B\n"}
    assert plain.stdout == "b'\\x00\\xff'\n" and plain.files == {}
