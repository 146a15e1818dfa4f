"""Comparing two result sets: columns (by name or by content), then rows (as multisets or lists).

Values compare NULL-aware (NULL equals only NULL), numbers with a tolerance (``3`` equals
``3.0``; a boolean is not a number), text exactly. Without names, the answer's columns are
matched to the reference's by position, else by content, so ``SELECT city, name`` answers a
question whose reference selects ``name, city``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

Row = Sequence[Any]


@dataclass(frozen=True)
class Tolerance:
    """Numbers ``a`` and ``b`` are equal when ``math.isclose(a, b, rel_tol, abs_tol)``."""

    rel_tol: float = 1e-6
    abs_tol: float = 1e-9


@dataclass(frozen=True)
class Comparison:
    """The verdict on an answer's result set.

    Attributes:
        columns_ok: Same number of columns (and names, when asked) as the reference.
        columns_reason: Why not, or how they were matched.
        rows_ok: The same rows (in the same order, when the order matters).
        rows_reason: Why not.
        f1: Row-level F1 (rows matched as a multiset) once the columns match, else 0.
    """

    columns_ok: bool
    columns_reason: str
    rows_ok: bool = False
    rows_reason: str = ""
    f1: float = 0.0


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def same(a: Any, b: Any, tol: Tolerance) -> bool:
    """Whether two values are equal: NULL-aware, numbers within ``tol``, containers deeply."""
    if a is None or b is None:
        return a is None and b is None
    if _number(a) and _number(b):
        if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
            return True
        return math.isclose(a, b, rel_tol=tol.rel_tol, abs_tol=tol.abs_tol)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y, tol) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k], tol) for k in a)
    return type(a) is type(b) and a == b


def key(value: Any) -> tuple[Any, ...]:
    """A sort and hash key of a value; numbers rounded to 9 significant digits."""
    if value is None:
        return (0,)
    if isinstance(value, bool):
        return (1, value)
    if _number(value):
        number = float(value)
        if math.isnan(number):
            return (2, 1, 0.0)
        return (2, 0, float(f"{number:.9g}"))
    if isinstance(value, str):
        return (3, value)
    if isinstance(value, list):
        return (4, tuple(key(item) for item in value))
    if isinstance(value, dict):
        return (5, tuple((k, key(v)) for k, v in sorted(value.items())))
    return (6, str(value))


def _row_key(row: Row) -> tuple[Any, ...]:
    return tuple(key(value) for value in row)


def _align(answer: Sequence[Row], reference: Sequence[Row], width: int) -> list[int] | None:
    """For each reference column, the answer column with the same values (None if any lacks one)."""

    def signature(rows: Sequence[Row], column: int) -> list[tuple[Any, ...]]:
        return sorted(key(row[column]) for row in rows)

    wanted = [signature(reference, c) for c in range(width)]
    offered = [signature(answer, c) for c in range(width)]
    order: list[int] = []
    free = list(range(width))
    for column in range(width):
        # The same position first, so that identical columns keep their order.
        candidates = [column] if column in free else []
        candidates += [c for c in free if c != column]
        match = next((c for c in candidates if offered[c] == wanted[column]), None)
        if match is None:
            return None
        order.append(match)
        free.remove(match)
    return order


def _rows_equal(
    answer: Sequence[Row], reference: Sequence[Row], ordered: bool, tol: Tolerance
) -> bool:
    if not ordered:
        answer, reference = sorted(answer, key=_row_key), sorted(reference, key=_row_key)
    return all(
        len(a) == len(r) and all(same(x, y, tol) for x, y in zip(a, r, strict=True))
        for a, r in zip(answer, reference, strict=True)
    )


def _f1(answer: Sequence[Row], reference: Sequence[Row]) -> float:
    if not answer and not reference:
        return 1.0
    common = Counter(map(_row_key, answer)) & Counter(map(_row_key, reference))
    matched = sum(common.values())
    if not matched:
        return 0.0
    precision, recall = matched / len(answer), matched / len(reference)
    return 2 * precision * recall / (precision + recall)


def compare(
    answer_columns: list[str],
    answer_rows: Sequence[Row],
    reference_columns: list[str] | None,
    reference_rows: Sequence[Row],
    *,
    ordered: bool,
    check_names: bool,
    tol: Tolerance,
) -> Comparison:
    """Compare the answer's result set with the reference's.

    Args:
        reference_columns: The reference's column names; None when unknown (rows given as
            lists), then only the width of its rows is checked.
        ordered: Rows must come in the reference's order.
        check_names: Column names must match the reference's (case-insensitive, any order).
    """
    width = len(reference_columns) if reference_columns is not None else None
    if width is None and reference_rows:
        width = len(reference_rows[0])
    if width is not None and len(answer_columns) != width:
        return Comparison(False, f"{len(answer_columns)} columns, the reference has {width}")
    width = len(answer_columns)
    rows: list[Row] = [list(row) for row in answer_rows]
    how = "by position"
    if check_names and reference_columns is not None:
        lower = [name.lower() for name in answer_columns]
        wanted = [name.lower() for name in reference_columns]
        if sorted(lower) != sorted(wanted):
            return Comparison(False, f"columns {answer_columns}, the reference has {wanted}")
        order = [lower.index(name) for name in wanted]
        rows, how = [[row[c] for c in order] for row in rows], "by name"
    if len(rows) != len(reference_rows):
        return Comparison(
            True,
            how,
            False,
            f"{len(rows)} rows, the reference has {len(reference_rows)}",
            _f1(rows, reference_rows),
        )
    if _rows_equal(rows, reference_rows, ordered, tol):
        return Comparison(True, how, True, "same rows" + (" in order" if ordered else ""), 1.0)
    if how == "by position" and width > 1:
        aligned = _align(rows, reference_rows, width)
        if aligned is not None and aligned != list(range(width)):
            moved = [[row[c] for c in aligned] for row in rows]
            if _rows_equal(moved, reference_rows, ordered, tol):
                return Comparison(True, "by content", True, "same rows", 1.0)
    problem = (
        "rows differ"
        if not ordered or not _rows_equal(rows, reference_rows, False, tol)
        else "same rows in another order (the reference orders them)"
    )
    return Comparison(True, how, False, problem, _f1(rows, reference_rows))
