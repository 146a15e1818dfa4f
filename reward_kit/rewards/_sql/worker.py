"""Entry points run inside the SQL worker process: build a database, run one vetted query.

Each database file is opened once per worker, read-only, with DuckDB's file system and
extension loading switched off and its configuration locked, and kept open for later calls.
The caller bounds the time of each call and kills a stuck worker.
"""

from __future__ import annotations

import datetime
import decimal
import math
import os
import uuid
from dataclasses import dataclass, field
from typing import Any

from reward_kit._wire_values import wire_type
from reward_kit.rewards._sql.guard import Rejected, vet

MEMORY_LIMIT = "512MB"
"""DuckDB's memory limit per worker: a query that needs more fails instead of swapping."""

_LOCKED_CONFIG: dict[str, Any] = {
    "enable_external_access": False,  # no files, no network, no ATTACH, no extensions
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "allow_community_extensions": False,
    "threads": 1,
    "memory_limit": MEMORY_LIMIT,
    "max_temp_directory_size": "0B",
    "lock_configuration": True,  # and no SET can undo any of it
}


@wire_type
@dataclass(frozen=True)
class QueryOutcome:
    """What running one query gave.

    Attributes:
        stage: ``"ok"``, or where it failed: ``"safety"`` (refused, never run) or
            ``"execution"`` (DuckDB raised, or the result passed the row cap).
        reason: Why it failed ("" when ok).
        columns: Result column names.
        rows: Result rows, values made JSON-like (see ``plain``).
        ordered: The outermost query has ``ORDER BY``.
        tables: The tables it read.
    """

    stage: str
    reason: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    ordered: bool = False
    tables: list[str] = field(default_factory=list)


@dataclass
class _Database:
    connection: Any
    stamp: int
    tables: frozenset[str]
    catalog: str


_open: dict[str, _Database] = {}


def build_database(tables: dict[str, str], target: str) -> str:
    """Write a DuckDB file at ``target`` holding each CSV/Parquet file of ``tables`` as a table."""
    import duckdb

    partial = f"{target}.{os.getpid()}.partial"
    with duckdb.connect(partial) as connection:
        for name, path in sorted(tables.items()):
            reader = connection.read_parquet if path.endswith(".parquet") else connection.read_csv
            reader(path).create(name)
    os.replace(partial, target)
    return target


def _database(path: str) -> _Database:
    import duckdb

    stamp = os.stat(path).st_mtime_ns
    cached = _open.get(path)
    if cached is not None and cached.stamp == stamp:
        return cached
    if cached is not None:
        cached.connection.close()
    connection = duckdb.connect(path, read_only=True, config=dict(_LOCKED_CONFIG))
    names = connection.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
    ).fetchall()
    catalog = (connection.execute("SELECT current_database()").fetchone() or ("",))[0]
    database = _Database(
        connection, stamp, frozenset(str(n[0]).lower() for n in names), str(catalog)
    )
    _open[path] = database
    return database


def plain(value: Any) -> Any:
    """A DuckDB value as JSON-like data: numbers stay numbers, dates and others become text."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, decimal.Decimal):
        return float(value) if value.is_finite() else math.nan
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, (datetime.date, datetime.time, datetime.timedelta, uuid.UUID)):
        return str(value)
    return str(value)


def run_query(
    database: str, sql: str, max_rows: int, extra_functions: list[str] | None = None
) -> QueryOutcome:
    """Vet ``sql``, run it read-only on ``database``, and return at most ``max_rows`` rows."""
    import duckdb

    db = _database(database)
    try:
        query = vet(sql, db.tables, catalog=db.catalog, extra_functions=extra_functions or ())
        statements = db.connection.extract_statements(query.sql)
        if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
            raise Rejected("DuckDB does not read the query as one SELECT")
    except Rejected as exc:
        return QueryOutcome("safety", str(exc))
    except duckdb.Error as exc:
        return QueryOutcome("safety", f"DuckDB cannot parse the rewritten query: {exc}")
    try:
        cursor = db.connection.execute(query.sql)
        columns = [str(column[0]) for column in cursor.description or []]
        rows = cursor.fetchmany(max_rows + 1)
    except duckdb.Error as exc:
        return QueryOutcome("execution", f"{type(exc).__name__}: {str(exc)[:500]}")
    if len(rows) > max_rows:
        return QueryOutcome("execution", f"the query returns more than {max_rows} rows")
    return QueryOutcome(
        "ok",
        columns=columns,
        rows=[[plain(value) for value in row] for row in rows],
        ordered=query.ordered,
        tables=list(query.tables),
    )


def warm_up() -> None:
    """Import DuckDB and sqlglot (outside any time limit)."""
    import duckdb  # noqa: F401
    import sqlglot  # noqa: F401
