"""SQL execution reward: run the response's query read-only on DuckDB and compare its result.

Needs the ``sql`` extra (``pip install 'reward-kit[sql]'``: DuckDB and sqlglot). The query is
vetted by parsing before it runs (one SELECT over the allowed tables, vetted functions only),
runs on a read-only connection with DuckDB's file, network and extension access switched off,
in a worker process that is killed at the time limit, and returns at most ``max_rows`` rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reward_kit.errors import EvaluationTimeout
from reward_kit.models import EvaluateResult, Message, MetricResult
from reward_kit.rewards._common import RewardInputError, ground_truth_value, response_text
from reward_kit.rewards._options import check_options
from reward_kit.rewards._sql.compare import Tolerance, compare
from reward_kit.rewards._sql.extract import extract_sql
from reward_kit.rewards._sql.run import DEFAULT_TIMEOUT, database_file, run, run_reference
from reward_kit.typed_interface import reward_function

__all__ = ["sql_execution_reward"]

_INSTALL = "the SQL reward needs DuckDB and sqlglot: pip install 'reward-kit[sql]'"


def _check_installed() -> None:
    try:
        import duckdb  # noqa: F401
        import sqlglot  # noqa: F401
    except ImportError:
        raise RewardInputError(_INSTALL) from None


def _reference(ground_truth: Any) -> tuple[str | None, list[str] | None, list[Any], bool | None]:
    """(reference query, column names, rows, ordered) from the ground truth.

    Raises:
        RewardInputError: no reference, or one of an unknown shape.
    """
    value = ground_truth_value(ground_truth)
    ordered = None
    if isinstance(value, Mapping):
        ordered = value.get("ordered")
        if isinstance(value.get("query") or value.get("sql"), str):
            value = value.get("query") or value.get("sql")
        elif isinstance(value.get("rows"), list):
            columns = value.get("columns")
            rows = [list(row) for row in value["rows"]]
            return None, list(columns) if columns else None, rows, ordered
        else:
            raise RewardInputError("a ground_truth dict needs 'query' (SQL) or 'rows'")
    if isinstance(value, str):
        if not value.strip():
            raise RewardInputError("ground_truth (the reference query) is empty")
        return value, None, [], ordered
    if isinstance(value, list):
        if all(isinstance(row, Mapping) for row in value):
            columns = list(value[0]) if value else None
            return None, columns, [[row.get(c) for c in columns or []] for row in value], ordered
        if all(isinstance(row, (list, tuple)) for row in value):
            return None, None, [list(row) for row in value], ordered
    raise RewardInputError(
        "ground_truth must be a reference query, a list of result rows (dicts or lists), "
        f"or a dict with 'query' or 'rows'; got {type(value).__name__}"
    )


def _failed(metrics: dict[str, MetricResult], name: str, reason: str) -> EvaluateResult:
    metrics[name] = MetricResult(score=0.0, reason=reason, success=False)
    return EvaluateResult(score=0.0, reason=f"{name} failed: {reason}", metrics=metrics)


@reward_function
@check_options
async def sql_execution_reward(
    messages: list[Message],
    ground_truth: Any = None,
    database: str | None = None,
    tables: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_rows: int = 10_000,
    order_matters: bool | None = None,
    check_column_names: bool = False,
    rel_tol: float = 1e-6,
    abs_tol: float = 1e-9,
    partial_credit: bool = False,
    require_table: bool = True,
    extra_functions: Sequence[str] = (),
    **kwargs: Any,
) -> EvaluateResult:
    """Score 1.0 when the response's query returns the reference's result set, else 0.

    Anything but one read-only SELECT over the database's tables (writes, ``ATTACH``, ``COPY``,
    ``INSTALL``/``LOAD``, ``SET``, ``PRAGMA``, file readers such as ``read_csv``, ``getenv``)
    scores 0 with the reason, and is never run. A query past ``timeout`` or ``max_rows`` scores
    0 too.

    Args:
        messages: The conversation; the SQL is taken from the last assistant message (its last
            ```` ```sql ```` block, else ``<sql>...</sql>``, else the whole text).
        ground_truth: The reference: a query (run on the same database), its result rows (a
            list of dicts, or of lists), or a dict with ``query`` or ``rows`` (and optional
            ``columns``, ``ordered``).
        database: A DuckDB file (opened read-only), or a folder whose CSV/Parquet files are the
            tables (named by file stem).
        tables: Instead of ``database``: table name -> CSV/Parquet file. Files are loaded once
            into a cached DuckDB file, rebuilt when they change.
        timeout: Seconds the query may run; its worker is then killed.
        max_rows: Most rows a result may have.
        order_matters: Compare rows in order. Default: when the reference query's outermost
            ``ORDER BY`` sorts them (reference rows given as data: no).
        check_column_names: Column names must match the reference's (any order, any case).
            Default: columns match by position, else by content.
        rel_tol: Relative tolerance for numbers.
        abs_tol: Absolute tolerance for numbers.
        partial_credit: Score row-level F1 instead of 0 when the rows differ (columns must
            still match).
        require_table: A query must read at least one table (a literal answer earns nothing).
        extra_functions: More DuckDB functions to allow beyond the vetted list.
        **kwargs: Other dataset columns (ignored).

    Returns:
        Metrics ``extraction``, ``safety``, ``execution``, ``columns``, ``rows`` up to the first
        that failed. Invalid (with ``error``) when the input, the database or the reference
        query is at fault, or the worker died.
    """
    try:
        _check_installed()
        reference_sql, ref_columns, ref_rows, ordered = _reference(ground_truth)
        text = response_text(messages)
        path = await database_file(database, tables)
    except RewardInputError as exc:
        return EvaluateResult.invalid(str(exc))
    except Exception as exc:
        return EvaluateResult.invalid(f"cannot prepare the database: {exc}")
    functions = [str(name) for name in extra_functions]
    options = {"max_rows": max_rows, "timeout": timeout, "functions": functions}
    if reference_sql is not None:
        try:
            reference = await run_reference(path, reference_sql, **options)  # type: ignore[arg-type]
        except Exception as exc:
            return EvaluateResult.invalid(f"the reference query failed: {exc}")
        if reference.stage != "ok":
            return EvaluateResult.invalid(f"the reference query failed: {reference.reason}")
        ref_columns, ref_rows = reference.columns, reference.rows
        ordered = reference.ordered if ordered is None else ordered
    metrics: dict[str, MetricResult] = {}
    sql, how = extract_sql(text)
    if not sql:
        return _failed(metrics, "extraction", how)
    metrics["extraction"] = MetricResult(score=1.0, reason=how, success=True)
    try:
        outcome = await run(path, sql, **options)  # type: ignore[arg-type]
    except EvaluationTimeout:
        metrics["safety"] = MetricResult(score=1.0, reason="a read-only SELECT", success=True)
        return _failed(metrics, "execution", f"timed out after {timeout:g}s")
    except Exception as exc:
        return EvaluateResult.invalid(f"the SQL worker failed: {exc}")
    if outcome.stage == "safety":
        return _failed(metrics, "safety", f"refused: {outcome.reason}")
    metrics["safety"] = MetricResult(score=1.0, reason="a read-only SELECT", success=True)
    if outcome.stage != "ok":
        return _failed(metrics, "execution", outcome.reason)
    if require_table and not outcome.tables:
        return _failed(metrics, "execution", "the query reads none of the database's tables")
    metrics["execution"] = MetricResult(
        score=1.0,
        reason=f"{len(outcome.rows)} rows from {', '.join(outcome.tables) or '-'}",
        success=True,
    )
    verdict = compare(
        outcome.columns, outcome.rows, ref_columns, ref_rows,
        ordered=bool(ordered if order_matters is None else order_matters),
        check_names=check_column_names, tol=Tolerance(rel_tol, abs_tol),
    )  # fmt: skip
    if not verdict.columns_ok:
        return _failed(metrics, "columns", verdict.columns_reason)
    metrics["columns"] = MetricResult(score=1.0, reason=verdict.columns_reason, success=True)
    if verdict.rows_ok:
        metrics["rows"] = MetricResult(score=1.0, reason=verdict.rows_reason, success=True)
        return EvaluateResult(score=1.0, reason="the result set matches", metrics=metrics)
    result = _failed(metrics, "rows", f"{verdict.rows_reason} (row F1 {verdict.f1:.2f})")
    if partial_credit:
        result.score = verdict.f1
    return result
