"""``reward-kit serve`` command line: key handling and binding rules."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

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
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_named_key_variable_must_be_set(tmp_path: Path) -> None:
    (tmp_path / "r.py").write_text(REWARD)
    completed = serve("--function-ref", f"{tmp_path}/r.py:one", "--api-key-env", "NOT_SET_VAR")
    assert completed.returncode == 1
    assert "--api-key-env NOT_SET_VAR: the variable is not set or empty" in completed.stderr


def test_unknown_reward_and_bad_folders_are_reported(tmp_path: Path) -> None:
    missing = serve("--function-ref", f"{tmp_path}/absent.py:one")
    assert missing.returncode == 1 and "no Python file" in missing.stderr
    folder = serve("--metrics-folders", f"m={tmp_path}")
    assert folder.returncode == 1 and "main.py does not exist" in folder.stderr
    spec = serve("--metrics-folders", "nonsense")
    assert spec.returncode == 1 and "expected NAME=PATH" in spec.stderr
    both = serve("--registry", str(tmp_path), "--function-ref", "x:y")
    assert both.returncode == 2 and "not allowed with" in both.stderr


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
    process = subprocess.Popen(
        [sys.executable, "-m", "reward_kit", "serve", "--function-ref", f"{tmp_path}/r.py:one",
         "--host", "0.0.0.0", "--port", str(free_port()), "--workers", "1"],
        env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        assert "WITHOUT an API key" in line and "0.0.0.0" in line
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stderr.close()
