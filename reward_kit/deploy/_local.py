"""The ``local-serve`` target: ``reward-kit serve`` for the evaluator on this machine, with a key.

A fresh API key is written to a file only the user can read; it is handed to the server through
its environment and never printed: the output says where the key file is.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from reward_kit._health import wait_until_healthy
from reward_kit.deploy._service import DeployError

KEY_VARIABLE = "RK_ENDPOINT_API_KEY"


def state_dir() -> Path:
    """Where reward-kit keeps local state (``$RK_STATE_DIR``, default ``~/.reward-kit``)."""
    return Path(os.environ.get("RK_STATE_DIR") or Path.home() / ".reward-kit").expanduser()


def serve_command(
    folders: Mapping[str, str | Path], host: str, port: int, function_ref: str | None = None
) -> list[str]:
    """The ``reward-kit serve`` command line for the evaluator."""
    command = [sys.executable, "-m", "reward_kit", "serve"]
    if function_ref:
        command += ["--function-ref", function_ref]
    else:
        command += ["--metrics-folders"]
        command += [f"{name}={Path(path).resolve()}" for name, path in folders.items()]
    return [*command, "--host", host, "--port", str(port), "--api-key-env", KEY_VARIABLE]


def write_key(evaluator_id: str) -> Path:
    """Create a new API key in ``<state>/keys/<id>.key`` (mode 0600) and return its path."""
    folder = state_dir() / "keys"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{evaluator_id}.key"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_urlsafe(32))
    os.chmod(path, 0o600)
    return path


def start_local_server(
    command: list[str], key_file: Path, url: str, *, startup_timeout: float = 60.0
) -> subprocess.Popen[bytes]:
    """Start the server with the key in its environment and wait until it answers."""
    environment = dict(os.environ)
    environment[KEY_VARIABLE] = key_file.read_text().strip()
    process = subprocess.Popen(command, env=environment)
    readiness = wait_until_healthy(process, url, startup_timeout, interval=0.2)
    if readiness == "ready":
        return process
    if readiness == "exited":
        raise DeployError(f"the local server exited with code {process.returncode}")
    process.terminate()
    raise DeployError(f"the local server did not answer at {url} within {startup_timeout:g} s")
