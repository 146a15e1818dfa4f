"""Vet a query before DuckDB sees it: one read-only SELECT over the allowed tables, rewritten.

The query is parsed with sqlglot and its whole tree walked: the statement must be a SELECT
(with its CTEs) or a set operation of SELECTs; every table it reads must be an allowed table or
one of its own CTEs; every function it calls must be in the vetted list. What DuckDB then runs
is sqlglot's rendering of the vetted tree, not the original text, so a trick that makes the two
parsers disagree (comments, quoting, odd whitespace) cannot smuggle a second statement through.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass

from reward_kit.rewards._sql.functions import ALLOWED_FUNCTIONS, TABLE_FUNCTIONS

MAX_SQL_CHARS = 20_000
"""Longer queries are refused before parsing: no real answer needs more."""


class Rejected(ValueError):
    """The query is not a single read-only SELECT over the allowed tables."""


@dataclass(frozen=True)
class VettedQuery:
    """A query that passed the guard.

    Attributes:
        sql: The text to run (sqlglot's rendering of the vetted tree, DuckDB dialect).
        ordered: The outermost query sorts its rows (``ORDER BY``), so row order is meaningful.
        tables: The allowed tables it reads, lower-case.
    """

    sql: str
    ordered: bool
    tables: tuple[str, ...]


def _function_names(node: object) -> set[str]:
    from sqlglot import exp

    if isinstance(node, exp.Anonymous):
        return {str(node.name).lower()}
    assert isinstance(node, exp.Func)
    return {node.key.lower(), node.sql_name().lower()}


def _cte_names(tree: object) -> set[str]:
    from sqlglot import exp

    assert isinstance(tree, exp.Expression)
    return {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}


def _check_table(table: object, allowed: Collection[str], ctes: set[str], catalog: str) -> str:
    """The allowed table ``table`` names (lower-case); Rejected for anything else."""
    from sqlglot import exp

    assert isinstance(table, exp.Table)
    source = table.this
    if isinstance(source, exp.Func):
        names = _function_names(source)
        if names & TABLE_FUNCTIONS:
            return ""
        raise Rejected(f"reading from the function {sorted(names)[0]}() is not allowed")
    if not isinstance(source, exp.Identifier):
        raise Rejected(f"unsupported table reference {table.sql()[:80]!r}")
    name = str(source.this)
    schema, database = table.text("db").lower(), table.text("catalog").lower()
    if schema not in ("", "main") or database not in ("", catalog.lower()):
        raise Rejected(f"table {table.sql()[:80]!r} is outside the allowed tables")
    if not schema and name.lower() in ctes:
        return ""
    if name.lower() not in allowed:
        raise Rejected(f"table {name[:80]!r} is not one of the allowed tables")
    return name.lower()


def vet(
    sql: str,
    allowed_tables: Collection[str],
    *,
    catalog: str = "",
    extra_functions: Collection[str] = (),
) -> VettedQuery:
    """Check ``sql`` and return the text to run.

    Args:
        sql: The query as the model wrote it (one statement; a trailing ``;`` is fine).
        allowed_tables: Lower-case names of the tables it may read.
        catalog: The database's catalog name, accepted as a qualifier (``db.main.t``).
        extra_functions: More function names to allow (lower-case).

    Raises:
        Rejected: anything but one read-only SELECT over the allowed tables.
    """
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    if len(sql) > MAX_SQL_CHARS:
        raise Rejected(f"the query is longer than {MAX_SQL_CHARS} characters")
    logging.getLogger("sqlglot").setLevel(logging.CRITICAL)  # its parse warnings are ours
    try:
        statements = [s for s in sqlglot.parse(sql, read="duckdb") if s is not None]
    except (SqlglotError, RecursionError) as exc:
        raise Rejected(f"cannot parse the query: {str(exc).splitlines()[0][:200]}") from None
    if len(statements) != 1:
        raise Rejected(f"expected one statement, got {len(statements)}")
    tree = statements[0]
    if not isinstance(tree, (exp.Select, exp.SetOperation, exp.Subquery)):
        raise Rejected(f"only SELECT queries are allowed, not {tree.key.upper()}")
    allowed = {name.lower() for name in allowed_tables}
    functions = ALLOWED_FUNCTIONS | {name.lower() for name in extra_functions}
    ctes = _cte_names(tree)
    read: set[str] = set()
    for node in tree.walk():
        if isinstance(node, (exp.Into, exp.DDL, exp.DML, exp.Command, exp.Pragma, exp.Set)):
            raise Rejected(f"{node.key.upper()} is not allowed in a read-only query")
        if isinstance(node, exp.Table):
            read.add(_check_table(node, allowed, ctes, catalog))
        elif isinstance(node, exp.Func) and not isinstance(node.parent, exp.Table):
            names = _function_names(node)
            if not names & functions:
                raise Rejected(f"the function {sorted(names)[-1]}() is not allowed")
        elif isinstance(node, (exp.Placeholder, exp.Parameter)):
            raise Rejected("query parameters are not allowed")
    outer = tree
    while isinstance(outer, exp.Subquery) and not outer.args.get("order"):
        outer = outer.this
    # Comments are dropped: rendered back as /* ... */ they could close early and hide SQL.
    text = tree.sql(dialect="duckdb", comments=False)
    return VettedQuery(text, bool(outer.args.get("order")), tuple(sorted(read - {""})))
