"""Decide whether two parsed answers are mathematically equivalent.

math-verify decides first. When it says "equal" and both sides are numbers (or sets, tuples or
intervals of numbers), the values are re-checked at high precision, because math-verify's
rounding hides real differences (`1/2004!` vs `1/2006!`, `1/2^99` vs `1/2^98`).
"""

from __future__ import annotations

from typing import Any

from reward_kit.rewards._math.parse import Parsed

_DIGITS = 60
# Two exact values (integers, fractions, radicals, pi...) must agree to this relative precision.
_EXACT_REL = 1e-40
# A decimal answer is a rounded value; math-verify rounds to 6 places, we also bound the relative
# error so tiny values (1.5e-10 vs 2.5e-10) are not all "0.000000".
_DECIMAL_REL = 1e-5
_REPRESENTATION_REL = 1e-12


def _hundredth(value: Any) -> Any:
    from sympy import Eq, Expr, FiniteSet, Interval, MatrixBase, Rational, Tuple

    if isinstance(value, (Expr, MatrixBase)):
        return value * Rational(1, 100)
    if isinstance(value, (FiniteSet, Tuple)):
        return type(value)(*(_hundredth(arg) for arg in value.args))
    if isinstance(value, Interval):
        start, end = _hundredth(value.start), _hundredth(value.end)
        return Interval(start, end, value.left_open, value.right_open)
    if isinstance(value, Eq):
        return Eq(value.lhs, _hundredth(value.rhs), evaluate=False)
    return value


def scaled(parsed: Parsed, percent_mode: bool) -> Any:
    """The value to compare: `25%` is 25 when the question is about percentages, else 0.25."""
    if parsed.percent and not percent_mode:
        return _hundredth(parsed.value)
    return parsed.value


def _is_scalar_number(expr: Any) -> bool:
    from sympy import Expr

    return isinstance(expr, Expr) and bool(expr.is_number)


def _numbers(expr: Any) -> list[Any] | None:
    """The numbers an answer consists of, or None when it is not made of numbers only."""
    from sympy import Eq, FiniteSet, Interval, Symbol, Tuple

    if isinstance(expr, Eq) and isinstance(expr.lhs, Symbol):
        expr = expr.rhs
    if _is_scalar_number(expr):
        return [expr]
    if isinstance(expr, Interval):
        return [expr.start, expr.end]
    if isinstance(expr, (FiniteSet, Tuple)):
        items: list[Any] = []
        for arg in expr.args:
            inner = _numbers(arg)
            if inner is None or len(inner) != 1:
                return None
            items.extend(inner)
        return items
    return None


def numbers_close(a: Any, b: Any, rel: float | None, absolute: float | None) -> bool:
    """High-precision closeness of two numeric sympy expressions.

    With `rel`/`absolute` None the precision follows the values: integers and fractions must be
    equal, other exact values (radicals, pi) agree to ~40 significant digits, and a decimal to
    1e-5 relative. Infinities are equal only to themselves.
    """
    from sympy import Float

    exact = rel is None and absolute is None and not (a.has(Float) or b.has(Float))
    if exact:
        a_exact, b_exact = a.doit(), b.doit()
        if a_exact.is_Rational and b_exact.is_Rational:
            return bool(a_exact == b_exact)  # integers and fractions: no rounding at all
    a_value, b_value = a.evalf(_DIGITS), b.evalf(_DIGITS)
    if not (a_value.is_finite and b_value.is_finite):
        return bool(a_value == b_value) and a_value.is_finite is not None
    diff = abs(a_value - b_value)
    scale = max(abs(a_value), abs(b_value))
    if not (diff.is_comparable and scale.is_comparable):
        return False
    if rel is None and absolute is None:
        rel = _EXACT_REL if exact else _DECIMAL_REL
    return bool(diff <= max((rel or 0.0) * scale, absolute or 0.0))


def _all_close(
    gold: list[Any], pred: list[Any], ordered: bool, rel: float | None, absolute: float | None
) -> bool:
    if len(gold) != len(pred):
        return False
    if ordered:
        return all(numbers_close(g, p, rel, absolute) for g, p in zip(gold, pred, strict=True))
    remaining = list(pred)
    for g in gold:
        match = next((p for p in remaining if numbers_close(g, p, rel, absolute)), None)
        if match is None:
            return False
        remaining.remove(match)
    return True


def _relation_set(value: Any) -> Any | None:
    """The solution set of an inequality in one variable (`1 \\le x < 3`, `x<-2 or x>2`)."""
    from sympy import And, FiniteSet, Or, Union
    from sympy.core.relational import GreaterThan, LessThan, StrictGreaterThan, StrictLessThan

    inequality = (GreaterThan, LessThan, StrictGreaterThan, StrictLessThan)

    def one(item: Any) -> bool:
        if isinstance(item, (And, Or)):
            return all(one(arg) for arg in item.args)
        return isinstance(item, inequality)

    if len(getattr(value, "free_symbols", ())) != 1:
        return None
    if one(value):
        return value.as_set()
    if isinstance(value, FiniteSet) and value.args and all(one(arg) for arg in value.args):
        return Union(*(arg.as_set() for arg in value.args))  # "x < -2 or x > 2"
    return None


def _as_sets(gold: Any, pred: Any) -> tuple[Any, Any] | None:
    """Both sides as sets when one is an interval (or union) and the other an inequality."""
    from sympy import Interval, Union

    sets = (Interval, Union)
    if not (isinstance(gold, sets) or isinstance(pred, sets)):
        return None
    gold_set = gold if isinstance(gold, sets) else _relation_set(gold)
    pred_set = pred if isinstance(pred, sets) else _relation_set(pred)
    if gold_set is None or pred_set is None:
        return None
    return gold_set, pred_set


def equivalent(
    gold: Any,
    pred: Any,
    *,
    tolerance: float | None = None,
    absolute_tolerance: float | None = None,
) -> bool:
    """Whether `pred` is mathematically equivalent to `gold` (both sympy values).

    With a tolerance, two plain numbers are compared by it alone (a caller's explicit choice);
    otherwise math-verify decides and a high-precision check vetoes false positives.
    """
    from math_verify import verify
    from sympy import FiniteSet, Float, Interval

    as_sets = _as_sets(gold, pred)
    if as_sets is not None:
        if as_sets[0] == as_sets[1]:
            return True
        gold, pred = as_sets
    if (tolerance is not None or absolute_tolerance is not None) and (
        _is_scalar_number(gold) and _is_scalar_number(pred)
    ):
        return numbers_close(gold, pred, tolerance, absolute_tolerance)
    if not verify(gold, pred, timeout_seconds=None):
        # math-verify misses a decimal times a power of ten equal to an integer (6.02e23);
        # accept only agreement up to float representation noise.
        return (
            _is_scalar_number(gold)
            and _is_scalar_number(pred)
            and (gold.has(Float) or pred.has(Float))
            and numbers_close(gold, pred, _REPRESENTATION_REL, None)
        )
    gold_numbers, pred_numbers = _numbers(gold), _numbers(pred)
    if gold_numbers is None or pred_numbers is None:
        return True
    if isinstance(gold, Interval) and isinstance(pred, Interval):
        ordered = True
    else:
        ordered = not (isinstance(gold, FiniteSet) or isinstance(pred, FiniteSet))
    return _all_close(gold_numbers, pred_numbers, ordered, tolerance, absolute_tolerance)
