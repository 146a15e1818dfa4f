"""An ASGI app served by uvicorn in a thread on 127.0.0.1, for tests of HTTP clients."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from reward_kit.server.testing import free_port


@contextmanager
def running_app(app: Any, *, start_within: float = 30.0) -> Iterator[str]:
    """Serve ``app`` until the block ends; yields its base URL.

    Raises:
        RuntimeError: the server did not start within ``start_within`` seconds (or its thread
            ended first, e.g. the port was taken).
    """
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_within
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"the test server on port {port} did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
