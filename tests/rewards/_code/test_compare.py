"""Strict output and value comparison."""

from __future__ import annotations

import pytest

from reward_kit.rewards._code._compare import outputs_match, values_match
from reward_kit.rewards._code._harness import NotPlainData, decode, encode


@pytest.mark.parametrize(
    ("actual", "expected", "match"),
    [
        ("1\n2\n", "1\n2", True),
        ("1  \r\n2\r\n\n", "1\n2", True),
        ("1\n", "1\n2", False),
        ("", "1", False),
        ("1\n2\n3", "1\n2", False),
        (" 1", "1", False),
        ("1.0", "1", False),
    ],
)
def test_outputs_match(actual: str, expected: str, match: bool) -> None:
    assert outputs_match(actual, expected) is match


def test_float_tolerance() -> None:
    assert outputs_match("0.30000000000000004 x", "0.3 x", float_tolerance=1e-9)
    assert not outputs_match("0.31 x", "0.3 x", float_tolerance=1e-9)
    assert not outputs_match("0.3 y", "0.3 x", float_tolerance=1e-9)


def test_values_match() -> None:
    assert values_match((1, [2, 3]), [1, [2, 3]])
    assert values_match({"a": 1}, {"a": 1})
    assert not values_match(True, 1)
    assert not values_match("1", 1)
    assert values_match(1, 1.0)
    assert not values_match(0.1 + 0.2, 0.3)
    assert values_match(0.1 + 0.2, 0.3, float_tolerance=1e-9)


def test_plain_data_round_trip_and_refusals() -> None:
    value = [None, True, 3, 2.5, float("inf"), "s", (1, 2), {"k": {1, 2}}, frozenset(), b"\x00", 1j]
    assert decode(encode(value)) == value

    class Sneaky(int):
        pass

    for bad in (Sneaky(1), object(), [lambda: 0]):
        with pytest.raises(NotPlainData):
            encode(bad)
