"""On-disk cache of chat completions, shared safely by threads and processes.

SQLite in WAL mode: readers never block the writer, several processes can write at once
(each waits its turn under ``busy_timeout``), and a process killed mid-write leaves the last
committed state intact, because a transaction is either in the write-ahead log or not at all.
Lookups made from an event loop in the same turn of the loop are answered by one query.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
import threading
import time
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["ResponseCache", "cache_key"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    model TEXT NOT NULL,
    created_at REAL NOT NULL
)
"""
_KEYS_PER_QUERY = 500
"""Keys looked up by one query (SQLite allows a limited number of parameters)."""

_Waiting = list[tuple[str, "asyncio.Future[str | None]"]]


def cache_key(request: dict[str, Any]) -> str:
    """The sha256 of the canonical JSON of ``request`` (sorted keys, no whitespace).

    Args:
        request: Everything that determines the response: base URL, model, messages, sampling
            parameters, n, tools, extra body, and any salt the caller adds. Never the API key.
    """
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ResponseCache:
    """A read-through store of successful response bodies, keyed by :func:`cache_key`.

    Args:
        path: The SQLite file (``~`` is expanded); its folder is created if missing.
        refresh: When true, lookups always miss (so every request goes to the server) but new
            responses are still stored: a way to renew a cache without deleting it.
    """

    def __init__(self, path: str | Path, *, refresh: bool = False) -> None:
        self.path = Path(path).expanduser()
        self.refresh = refresh
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()
        self._waiting: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Waiting] = (
            weakref.WeakKeyDictionary()
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            self.path, timeout=30.0, isolation_level=None, check_same_thread=False
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)

    def __repr__(self) -> str:
        return f"ResponseCache({str(self.path)!r}, hits={self.hits}, misses={self.misses})"

    def get(self, key: str) -> str | None:
        """The stored body for ``key``, or ``None``; counts a hit or a miss."""
        if self.refresh:
            with self._lock:
                self.misses += 1
            return None
        with self._lock:
            row = self._db.execute("SELECT body FROM responses WHERE key = ?", (key,)).fetchone()
            if row is None:
                self.misses += 1
                return None
            self.hits += 1
            return str(row[0])

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        """The stored bodies of those of ``keys`` that are stored; counts a hit or a miss each."""
        found: dict[str, str] = {}
        if not self.refresh:
            unique = list(dict.fromkeys(keys))
            with self._lock:
                for start in range(0, len(unique), _KEYS_PER_QUERY):
                    part = unique[start : start + _KEYS_PER_QUERY]
                    marks = ",".join("?" * len(part))
                    query = f"SELECT key, body FROM responses WHERE key IN ({marks})"
                    found.update(
                        (str(key), str(body)) for key, body in self._db.execute(query, part)
                    )
        hits = sum(key in found for key in keys)
        with self._lock:
            self.hits += hits
            self.misses += len(keys) - hits
        return found

    async def aget(self, key: str) -> str | None:
        """:meth:`get` for event loops: lookups made in the same turn of the loop are batched.

        One query for many keys costs little more than one for a single key, and far less than
        many small ones while other threads compete for the interpreter.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[str | None] = loop.create_future()
        with self._lock:
            waiting = self._waiting.get(loop)
            if waiting is None:
                waiting = self._waiting[loop] = []
                loop.call_soon(self._answer, loop)
            waiting.append((key, future))
        return await future

    def _answer(self, loop: asyncio.AbstractEventLoop) -> None:
        with self._lock:
            waiting = self._waiting.pop(loop, [])
        try:
            found = self.get_many([key for key, _ in waiting])
        except Exception as exc:  # e.g. the database is locked or corrupt: every caller's error
            for _, future in waiting:
                if not future.done():
                    future.set_exception(exc)
            return
        for key, future in waiting:
            if not future.done():
                future.set_result(found.get(key))

    def put(self, key: str, body: str, model: str) -> None:
        """Store (or replace) the body of a successful response."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO responses (key, body, model, created_at) VALUES (?,?,?,?)",
                (key, body, model, time.time()),
            )

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        """Close the database connection (idempotent)."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> ResponseCache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
