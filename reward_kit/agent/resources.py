"""The state a rollout's tools act on: a SQLite database or a plain dict, forked per rollout.

A task's base state is built once (``seed.sql`` or ``initial_state``) and every rollout works on
its own copy, so concurrent rollouts never see each other's writes. Tools get ``db`` (a
:class:`DB`, or an :class:`AsyncDB` in async tools), whose writes are committed after every
call; rewards get a :class:`ReadOnlyDB` on the final state, where any write fails.
"""

from __future__ import annotations

import copy
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

__all__ = [
    "DB",
    "AsyncDB",
    "DictStateResource",
    "QueryResult",
    "ReadOnlyDB",
    "Resource",
    "SQLiteResource",
    "seed_database",
]

Params = Mapping[str, Any] | Sequence[Any] | None


def _sql(query: Any) -> str:
    """The SQL of a string or of a SQLAlchemy ``text()`` clause (for v1 rewards)."""
    return query if isinstance(query, str) else str(query)


def _dicts(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    names = [column[0] for column in cursor.description or ()]
    return [dict(zip(names, row, strict=False)) for row in cursor.fetchall()]


class QueryResult:
    """Rows of a query, read the SQLAlchemy way (``scalar()``, ``fetchall()``, ``fetchone()``)."""

    def __init__(self, rows: list[dict[str, Any]], rowcount: int) -> None:
        self.rows = rows
        self.rowcount = rowcount

    def scalar(self) -> Any:
        """The first cell of the first row, or None."""
        return next(iter(self.rows[0].values()), None) if self.rows else None

    def fetchall(self) -> list[dict[str, Any]]:
        """Every row, as dicts."""
        return self.rows

    def fetchone(self) -> dict[str, Any] | None:
        """The first row, or None."""
        return self.rows[0] if self.rows else None


class _Queries:
    """Query helpers over one connection; parameters are ``:named`` (a dict) or ``?`` (a list)."""

    _connection: sqlite3.Connection

    def _run(self, query: Any, params: Params) -> sqlite3.Cursor:
        return self._connection.execute(_sql(query), params if params is not None else ())

    def fetch_all(self, query: Any, params: Params = None) -> list[dict[str, Any]]:
        """Every row of a query, as dicts."""
        return _dicts(self._run(query, params))

    def fetch_one(self, query: Any, params: Params = None) -> dict[str, Any] | None:
        """The first row of a query as a dict, or None."""
        rows = self.fetch_all(query, params)
        return rows[0] if rows else None

    def fetch_val(self, query: Any, params: Params = None) -> Any:
        """The first cell of the first row, or None."""
        row = self._run(query, params).fetchone()
        return row[0] if row else None


class DB(_Queries):
    """A rollout's database as its sync tools see it; ``execute`` returns the row count."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def execute(self, query: Any, params: Params = None) -> int:
        """Run a statement; returns the number of rows it changed."""
        return self._run(query, params).rowcount

    def commit(self) -> None:
        """Make the writes so far durable (the runner does it after every tool call)."""
        self._connection.commit()


class AsyncDB:
    """:class:`DB` for async tools: the same methods, awaitable."""

    def __init__(self, db: DB) -> None:
        self._db = db

    async def fetch_all(self, query: Any, params: Params = None) -> list[dict[str, Any]]:
        """See :meth:`DB.fetch_all`."""
        return self._db.fetch_all(query, params)

    async def fetch_one(self, query: Any, params: Params = None) -> dict[str, Any] | None:
        """See :meth:`DB.fetch_one`."""
        return self._db.fetch_one(query, params)

    async def fetch_val(self, query: Any, params: Params = None) -> Any:
        """See :meth:`DB.fetch_val`."""
        return self._db.fetch_val(query, params)

    async def execute(self, query: Any, params: Params = None) -> int:
        """See :meth:`DB.execute`."""
        return self._db.execute(query, params)


class ReadOnlyDB(_Queries):
    """A read-only handle on a final database, for rewards and ``end_goal_sql``.

    It pickles as its path, so it can be sent to a scoring worker, and opens the file in
    SQLite's read-only mode on first use: an ``INSERT`` raises ``sqlite3.OperationalError``.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._open: sqlite3.Connection | None = None

    @property
    def _connection(self) -> sqlite3.Connection:  # type: ignore[override]
        if self._open is None:
            uri = Path(self.path).resolve().as_uri() + "?mode=ro"
            self._open = sqlite3.connect(uri, uri=True, check_same_thread=False)
        return self._open

    def execute(self, query: Any, params: Params = None) -> QueryResult:
        """Run a query; the result reads like SQLAlchemy's (``.scalar()``, ``.fetchall()``)."""
        cursor = self._run(query, params)
        rows = _dicts(cursor) if cursor.description else []
        return QueryResult(rows, cursor.rowcount)

    def close(self) -> None:
        """Close the connection (it reopens on next use)."""
        if self._open is not None:
            self._open.close()
            self._open = None

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.path = state["path"]
        self._open = None

    def __repr__(self) -> str:
        return f"ReadOnlyDB({self.path!r})"


class Resource(Protocol):
    """What a rollout's tools act on: built once per task, forked per rollout."""

    def fork(self, path: Path) -> Resource:
        """An independent copy (stored at ``path`` when the state lives in a file)."""

    def snapshot(self) -> Any:
        """The state as JSON (a dict) or where it lives (a database path)."""

    def close(self) -> None:
        """Release connections; the state stays where it is."""


def seed_database(path: Path, seed_sql: str | None) -> None:
    """Create the SQLite file at ``path`` (replacing one there) and run ``seed_sql`` on it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path)
    try:
        if seed_sql:
            connection.executescript(seed_sql)
        connection.commit()
    finally:
        connection.close()


class SQLiteResource:
    """A SQLite file; tools get it as ``db`` and as ``resource`` (``get_state`` is its path)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection = sqlite3.connect(path, check_same_thread=False)
        self.db = DB(self._connection)

    def fork(self, path: Path) -> SQLiteResource:
        """Copy the database to ``path`` (SQLite's backup API, consistent while open)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        target = sqlite3.connect(path)
        try:
            self._connection.backup(target)
        finally:
            target.close()
        return SQLiteResource(path)

    def get_state(self) -> str:
        """Where the database lives."""
        return str(self.path)

    def snapshot(self) -> str:
        """Where the database lives (rewards open it read-only)."""
        return str(self.path)

    def close(self) -> None:
        """Commit and close the connection."""
        self._connection.commit()
        self._connection.close()


class DictStateResource:
    """A JSON-like dict of state, from a row's ``initial_state``; tools use get/set_state."""

    def __init__(self, state: Mapping[str, Any]) -> None:
        self.state: dict[str, Any] = copy.deepcopy(dict(state))
        self.db: DB | None = None

    def fork(self, path: Path) -> DictStateResource:
        """A deep copy (``path`` is unused: the state lives in memory)."""
        return DictStateResource(self.state)

    def get_state(self) -> dict[str, Any]:
        """The current state (mutable)."""
        return self.state

    def set_state(self, state: Mapping[str, Any]) -> None:
        """Replace the state."""
        self.state = copy.deepcopy(dict(state))

    def snapshot(self) -> dict[str, Any]:
        """A copy of the state."""
        return copy.deepcopy(self.state)

    def close(self) -> None:
        """Nothing to release."""
