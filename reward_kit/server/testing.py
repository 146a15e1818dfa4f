"""Run ``reward-kit serve`` in a subprocess for tests: on a free port, ready when returned.

Example:
    >>> with ServerProcess(["--function-ref", "my_rewards:exact"]) as server:  # doctest: +SKIP
    ...     RewardFunction(mode="remote", endpoint=f"{server.url}/evaluate")(messages=[...])
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from reward_kit._health import wait_until_healthy

__all__ = ["ServerProcess", "free_port"]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class ServerProcess:
    """``reward-kit serve ARGS`` as a child process on 127.0.0.1.

    Args:
        args: Arguments after ``reward-kit serve`` (without ``--host``/``--port``).
        env: Extra environment variables (an API key, for example).
        port: Port to use (default: a free one; reuse it to restart "the same" server).
        startup_timeout: Seconds to wait for ``/health`` to answer.
    """

    def __init__(
        self,
        args: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        port: int | None = None,
        startup_timeout: float = 60.0,
    ) -> None:
        self.args = list(args)
        self.env = dict(env or {})
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self._log = Path(tempfile.mkstemp(prefix="reward-kit-serve-", suffix=".log")[1])

    def start(self) -> ServerProcess:
        """Start the server and wait until it answers; raises RuntimeError with its log."""
        command = [sys.executable, "-m", "reward_kit", "serve", *self.args]
        command += ["--host", "127.0.0.1", "--port", str(self.port)]
        with open(self._log, "ab") as log:
            self.process = subprocess.Popen(
                command, env={**os.environ, **self.env}, stdout=log, stderr=subprocess.STDOUT
            )
        readiness = wait_until_healthy(self.process, self.url, self.startup_timeout)
        if readiness == "ready":
            return self
        if readiness == "exited":
            raise RuntimeError(f"the server exited at start:\n{self.log()}")
        self.stop()
        raise RuntimeError(f"the server did not answer within {self.startup_timeout:g} s:\n"
                           f"{self.log()}")  # fmt: skip

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 15 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def log(self) -> str:
        """Everything the server printed so far."""
        return self._log.read_text(errors="replace")

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
        self._log.unlink(missing_ok=True)
