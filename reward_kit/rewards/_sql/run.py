"""Parent side of the SQL reward: find the database, and run queries in the "sql" worker pool."""

from __future__ import annotations

import hashlib
import os
import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from reward_kit._workers import WorkerPool, shared_pool
from reward_kit.rewards._common import RewardInputError
from reward_kit.rewards._sql.worker import QueryOutcome, build_database, run_query, warm_up

DEFAULT_TIMEOUT = 5.0
"""Seconds a query may run before its worker is killed and the query scored 0."""

BUILD_TIMEOUT = 300.0
"""Seconds loading CSV/Parquet files into a database may take (once per set of files)."""

_DATABASE_SUFFIXES = (".duckdb", ".db", ".ddb")
_TABLE_SUFFIXES = (".csv", ".parquet", ".tsv")
_TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

_warmed: weakref.WeakSet[WorkerPool] = weakref.WeakSet()
_lock = threading.Lock()
_reference_rows: OrderedDict[tuple[str, str, int], QueryOutcome] = OrderedDict()
_REFERENCE_CACHE = 1024


def _pool() -> WorkerPool:
    """The shared "sql" pool; each new worker first imports DuckDB, outside any time limit."""
    pool = shared_pool("sql")
    with _lock:
        if pool not in _warmed:
            _warmed.add(pool)
            for _ in range(pool.size):
                pool.submit(warm_up)
    return pool


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "reward-kit" / "sql"


def table_files(database: Any, tables: Mapping[str, Any] | None) -> dict[str, str] | None:
    """The CSV/Parquet files to load, by table name; None when ``database`` is a DuckDB file.

    Raises:
        RewardInputError: neither or both sources given, a missing file, a bad table name.
    """
    if (database is None) == (not tables):
        raise RewardInputError(
            "give database= (a DuckDB file or a folder of CSV/Parquet files)"
            " or tables= (table name -> CSV/Parquet file), one of them"
        )
    files: dict[str, str] = {}
    if tables:
        files = {str(name): str(path) for name, path in tables.items()}
    else:
        path = Path(database)
        if path.is_file() and path.suffix.lower() in _DATABASE_SUFFIXES:
            return None
        if not path.is_dir():
            raise RewardInputError(f"database {str(path)!r} is not a DuckDB file or a folder")
        files = {
            child.stem: str(child)
            for child in sorted(path.iterdir())
            if child.suffix.lower() in _TABLE_SUFFIXES
        }
        if not files:
            raise RewardInputError(f"the folder {str(path)!r} holds no CSV or Parquet files")
    for name, file in files.items():
        if not _TABLE_NAME.fullmatch(name):
            raise RewardInputError(f"table name {name!r} is not a plain identifier")
        if not os.path.isfile(file):
            raise RewardInputError(f"table file {file!r} does not exist")
    return {name: os.path.abspath(file) for name, file in files.items()}


async def database_file(database: Any, tables: Mapping[str, Any] | None) -> str:
    """The DuckDB file to query: ``database`` itself, or one built (once) from table files."""
    files = table_files(database, tables)
    if files is None:
        return os.path.abspath(str(database))
    digest = hashlib.sha256()
    for name, file in sorted(files.items()):
        stat = os.stat(file)
        digest.update(f"{name}\0{file}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    target = _cache_dir() / f"{digest.hexdigest()[:32]}.duckdb"
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        await _pool().arun(build_database, files, str(target), timeout=BUILD_TIMEOUT)
    return str(target)


async def run(
    database: str, sql: str, *, max_rows: int, timeout: float, functions: list[str]
) -> QueryOutcome:
    """Run ``sql`` on ``database`` in a worker, killing it after ``timeout`` seconds.

    Raises:
        EvaluationTimeout: past the time limit. WorkerCrashed: the worker died.
    """
    if timeout <= 0:
        raise ValueError(f"timeout must be positive, got {timeout}")
    return await _pool().arun(run_query, database, sql, max_rows, functions, timeout=timeout)


async def run_reference(
    database: str, sql: str, *, max_rows: int, timeout: float, functions: list[str]
) -> QueryOutcome:
    """Like `run`, for a reference query: a successful result is kept and reused."""
    key = (f"{database}\0{os.stat(database).st_mtime_ns}", sql, max_rows)
    with _lock:
        cached = _reference_rows.get(key)
        if cached is not None:
            _reference_rows.move_to_end(key)
            return cached
    outcome = await run(database, sql, max_rows=max_rows, timeout=timeout, functions=functions)
    if outcome.stage == "ok":
        with _lock:
            _reference_rows[key] = outcome
            while len(_reference_rows) > _REFERENCE_CACHE:
                _reference_rows.popitem(last=False)
    return outcome
