"""``reward-kit serve`` command line: key handling and binding rules."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from reward_kit.server.testing import ServerProcess, free_port

REWARD = (
    "from reward_kit import EvaluateResult, reward_function\n\n\n"
    "@reward_function\n"
    "def one(messages, **kwargs):\n"
    "    return EvaluateResult(score=1.0)\n"
)


def serve(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reward_kit", "serve", *args],
        env=env if env is not None else dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_named_key_variable_must_be_set(tmp_path: Path) -> None:
    (tmp_path / "r.py").write_text(REWARD)
    completed = serve("--function-ref", f"{tmp_path}/r.py:one", "--api-key-env", "NOT_SET_VAR")
    assert completed.returncode == 1
    assert "--api-key-env NOT_SET_VAR: the variable is not set or empty" in completed.stderr


# Each: the arguments ({tmp} is the test's folder, holding broken.py), the exit code, and
# what stderr must say.
BAD_ARGUMENTS = {
    "unknown reward file": (["--function-ref", "{tmp}/absent.py:one"], 1, "no Python file"),
    "folder without main.py": (["--metrics-folders", "m={tmp}"], 1, "main.py does not exist"),
    "folder spec without a name": (["--metrics-folders", "nonsense"], 1, "expected NAME=PATH"),
    "folder name given twice": (
        ["--metrics-folders", "m={tmp}", "m={tmp}"], 1, "'m' is given twice"
    ),
    "reward whose import fails": (
        ["--function-ref", "{tmp}/broken.py:one"], 1,
        "No module named 'reward_kit_no_such_dependency'",
    ),
    "registry that is a file": (
        ["--registry", "{tmp}/broken.py", "--insecure-single-tenant"], 1,
        "broken.py: not a folder (the registry keeps its evaluators in a folder",
    ),
    "keys of a registry that is a file": (
        ["keys", "list", "--registry", "{tmp}/broken.py"], 1,
        "reward-kit serve: error: --registry {tmp}/broken.py: not a folder",
    ),
    "revoking in a registry that does not exist": (
        ["keys", "revoke", "--registry", "{tmp}/nowhere", "k1"], 1,
        "reward-kit serve: error: --registry {tmp}/nowhere: no such folder (no registry there)",
    ),
    "registry and a reward together": (
        ["--registry", "{tmp}", "--function-ref", "x:y"], 2, "not allowed with"
    ),
}  # fmt: skip


@pytest.mark.parametrize(
    ("arguments", "code", "message"), BAD_ARGUMENTS.values(), ids=list(BAD_ARGUMENTS)
)
def test_unknown_reward_and_bad_folders_are_reported(
    tmp_path: Path, arguments: list[str], code: int, message: str
) -> None:
    (tmp_path / "broken.py").write_text("import reward_kit_no_such_dependency\n")
    completed = serve(*(argument.format(tmp=tmp_path) for argument in arguments))
    assert completed.returncode == code, completed.stderr
    assert message.format(tmp=tmp_path) in completed.stderr
    assert "Traceback" not in completed.stderr
    assert not (tmp_path / "nowhere").exists()


def test_rk_endpoint_api_key_is_used_when_no_variable_is_named(tmp_path: Path) -> None:
    (tmp_path / "r.py").write_text(REWARD)
    args = ["--function-ref", f"{tmp_path}/r.py:one", "--workers", "1"]
    with ServerProcess(args, env={"RK_ENDPOINT_API_KEY": "default-key"}) as server:
        body = {"messages": [{"role": "user", "content": "hi"}]}
        assert httpx.post(f"{server.url}/evaluate", json=body).status_code == 401
        headers = {"Authorization": "Bearer default-key"}
        assert httpx.post(f"{server.url}/evaluate", json=body, headers=headers).json()["score"] == 1


def test_binding_beyond_loopback_without_a_key_warns(tmp_path: Path) -> None:
    (tmp_path / "r.py").write_text(REWARD)
    env = {k: v for k, v in os.environ.items() if k != "RK_ENDPOINT_API_KEY"}
    # 192.0.2.1 (TEST-NET-1) is no address of this machine: the warning comes before the
    # bind, which then fails, so nothing is ever exposed beyond loopback.
    completed = serve(
        "--function-ref", f"{tmp_path}/r.py:one", "--host", "192.0.2.1",
        "--port", str(free_port()), "--workers", "1", env=env,
    )  # fmt: skip
    assert "WITHOUT an API key" in completed.stderr and "192.0.2.1" in completed.stderr
    assert completed.returncode != 0
    assert "cannot listen on 192.0.2.1" in completed.stderr and "Traceback" not in completed.stderr


def test_a_busy_port_is_a_clear_error_before_anything_is_announced(tmp_path: Path) -> None:
    (tmp_path / "r.py").write_text(REWARD)
    args = ["--function-ref", f"{tmp_path}/r.py:one", "--workers", "1"]
    with ServerProcess(args) as server:
        port = server.url.rsplit(":", 1)[1].strip("/")
        completed = serve(*args, "--port", port)
    assert completed.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in completed.stderr
    assert "on http://" not in completed.stdout
