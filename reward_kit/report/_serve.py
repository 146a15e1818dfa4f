"""Serving report pages on 127.0.0.1 for ``reward-kit view``: from memory, nothing written."""

from __future__ import annotations

import errno
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["PageServer"]

Render = Callable[[], str]


class _Handler(BaseHTTPRequestHandler):
    server: PageServer

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        body = self.server.page(path)
        if body is None:
            self.send_error(HTTPStatus.NOT_FOUND, "no such page")
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the command prints its URL, not every request."""


class PageServer(ThreadingHTTPServer):
    """An HTTP server of a few pages, each rendered on its first request and then kept.

    Args:
        pages: URL path -> function returning the page's HTML.
        host: Address to listen on.
        port: Port; when it is taken, a free one is used instead (see ``url``).
    """

    daemon_threads = True

    def __init__(self, pages: dict[str, Render], host: str = "127.0.0.1", port: int = 0) -> None:
        self._pages = pages
        self._rendered: dict[str, bytes] = {}
        self._lock = threading.Lock()
        try:
            super().__init__((host, port), _Handler)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE or port == 0:
                raise
            super().__init__((host, 0), _Handler)

    @property
    def url(self) -> str:
        """The address of the first page."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/"

    def page(self, path: str) -> bytes | None:
        """The HTML of the page at ``path`` (``None`` when there is none)."""
        render = self._pages.get(path)
        if render is None:
            return None
        with self._lock:  # render each page once, even when requests arrive together
            if path not in self._rendered:
                self._rendered[path] = render().encode("utf-8")
            return self._rendered[path]
