"""The JavaScript (Node.js) versions of the attacks in test_security.py."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from reward_kit.execution import LocalExecutor
from tests._support.processes import eventually, processes_with
from tests.execution.conftest import SECRET, assert_still_works

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


@pytest.mark.parametrize(
    "code",
    [
        "console.log(JSON.stringify(process.env))",
        "console.log(require('fs').readFileSync('/proc/self/environ', 'utf8'))",
        "console.log(require('fs').readFileSync(`/proc/${process.ppid}/environ`, 'utf8'))",
        "console.log(require('child_process').execSync('env; cat /proc/*/environ').toString())",
    ],
)
def test_environment_secrets_are_invisible(executor: LocalExecutor, code: str) -> None:
    result = executor.run(code, language="javascript")
    assert result.status in ("ok", "error"), result
    assert SECRET not in result.stdout + result.stderr
    assert_still_works(executor)


def test_files_outside_the_work_dir(bwrap_executor: LocalExecutor, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    target = tmp_path / "pwned"
    read = f"console.log(require('fs').readFileSync({str(secret)!r}, 'utf8'))"
    write = f"require('fs').writeFileSync({str(target)!r}, 'x')"
    escape = "require('fs').writeFileSync('../../../pwned-js', 'x')"
    for code in (read, write, escape):
        result = bwrap_executor.run(code, language="javascript")
        assert SECRET not in result.stdout + result.stderr
    assert not target.exists()
    assert_still_works(bwrap_executor)


def test_infinite_loop_with_signals_ignored_times_out(executor: LocalExecutor) -> None:
    code = "for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => {}); while (true) {}"
    started = time.monotonic()
    result = executor.run(code, language="javascript", timeout=1.0)
    assert result.status == "timeout", result
    assert time.monotonic() - started < 5
    assert_still_works(executor)


def test_memory_bomb_is_stopped(executor: LocalExecutor) -> None:
    code = "const a = []; while (true) a.push(new Array(1e6).fill(1.5));"
    result = executor.run(code, language="javascript", memory_mb=128, timeout=10)
    assert result.status == "memory_exceeded", result
    assert_still_works(executor)


def test_huge_output_is_truncated(executor: LocalExecutor) -> None:
    code = "const line = 'x'.repeat(1000); while (true) process.stdout.write(line + '\\n');"
    result = executor.run(code, language="javascript", timeout=5)
    assert result.status == "output_limit" and result.stdout_truncated, result
    assert_still_works(executor)


@pytest.mark.slow
def test_process_bomb_is_bounded(executor: LocalExecutor) -> None:
    code = (
        "const {spawn} = require('child_process');"
        "setInterval(() => { for (let i = 0; i < 50; i++) "
        "try { spawn('/bin/sleep', ['30']).on('error', () => {}) } catch (e) {} }, 10);"
    )
    result = executor.run(code, language="javascript", timeout=2)
    assert result.status in ("timeout", "error"), result
    assert_still_works(executor)


def test_detached_daemon_does_not_outlive_the_call(executor: LocalExecutor) -> None:
    marker = f"5{len(executor.isolation)}7.25"
    code = (
        "const {spawn} = require('child_process');"
        f"spawn('/bin/sleep', ['{marker}'], {{detached: true, stdio: 'ignore'}}).unref();"
        "console.log('parent done');"
    )
    result = executor.run(code, language="javascript")
    assert result.stdout == "parent done\n", result
    assert eventually(lambda: processes_with(marker) == [])
    assert_still_works(executor)


def test_killing_the_parent_is_contained(executor: LocalExecutor) -> None:
    for code in ("process.kill(process.ppid || 1, 'SIGKILL')", "process.kill(-1, 'SIGKILL')"):
        result = executor.run(code, language="javascript")
        assert result.status in ("ok", "error"), result
    assert_still_works(executor)
