"""Reading test cases from the shapes data sets use."""

from __future__ import annotations

import contextlib
import json
from typing import Any


def _expected(test: dict[str, Any]) -> Any:
    for key in ("expected_output", "output"):
        if key in test:
            return test[key]
    raise ValueError(f"test case has no 'expected_output': {sorted(test)}")


def io_tests(ground_truth: Any) -> list[tuple[str, str]]:
    """``[{"input", "expected_output"}]`` as (stdin, expected stdout) pairs."""
    cases = _cases(ground_truth)
    pairs = []
    for index, test in enumerate(cases):
        stdin, expected = test.get("input", ""), _expected(test)
        if not isinstance(stdin, str) or not isinstance(expected, str):
            raise ValueError(f"test {index}: stdin/stdout tests need string input and output")
        pairs.append((stdin, expected))
    return pairs


def call_arguments(raw: Any) -> list[Any]:
    """Positional arguments: a list as is, or a string with one JSON value per line."""
    if isinstance(raw, list):
        return raw
    if isinstance(raw, str):
        try:
            return [json.loads(line) for line in raw.strip().splitlines()]
        except ValueError:
            return [raw]
    return [raw]


def call_expected(raw: Any, unwrap: bool = False) -> list[Any]:
    """Acceptable return values: the value, and for a JSON string also what it decodes to.

    With ``unwrap``, a one-element list also accepts its element (APPS wraps values so).
    """
    accepted = [raw]
    if unwrap and isinstance(raw, list) and len(raw) == 1:
        accepted.append(raw[0])
    if isinstance(raw, str):
        with contextlib.suppress(ValueError):
            accepted.append(json.loads(raw))
    return accepted


def call_tests(ground_truth: Any) -> list[tuple[list[Any], list[Any]]]:
    """``[{"input": args, "expected_output": value}]`` as (arguments, accepted values)."""
    return [
        (
            call_arguments(test.get("input", [])),
            call_expected(_expected(test), bool(test.get("unwrap_single"))),
        )
        for test in _cases(ground_truth)
    ]


def _cases(ground_truth: Any) -> list[dict[str, Any]]:
    if isinstance(ground_truth, str):
        try:
            ground_truth = json.loads(ground_truth)
        except ValueError as error:
            raise ValueError(f"ground_truth is not valid JSON: {error}") from error
    if not isinstance(ground_truth, list) or not ground_truth:
        raise ValueError("ground_truth must be a non-empty list of test cases")
    if not all(isinstance(test, dict) for test in ground_truth):
        raise ValueError("each test case must be a dict with 'input' and 'expected_output'")
    return ground_truth
