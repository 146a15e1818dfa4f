"""Waiting for a server process that was just started to answer on its health endpoint."""

from __future__ import annotations

import contextlib
import subprocess
import time
from typing import Literal

import httpx

Readiness = Literal["ready", "exited", "timeout"]


def wait_until_healthy(
    process: subprocess.Popen[bytes], url: str, timeout: float, *, interval: float = 0.1
) -> Readiness:
    """Poll ``{url}/health`` until it answers 200, the process exits, or ``timeout`` passes.

    Connection errors while the server is still starting are expected and not reported; the
    caller turns "exited" and "timeout" into an error of its own, with whatever log it has.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return "exited"
        with contextlib.suppress(httpx.TransportError):  # not listening yet
            if httpx.get(f"{url}/health", timeout=2.0).status_code == 200:
                return "ready"
        time.sleep(interval)
    return "timeout"
