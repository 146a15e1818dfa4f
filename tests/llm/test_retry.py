"""Retry-After parsing and the backoff schedule."""

from __future__ import annotations

from email.utils import formatdate

import pytest

from reward_kit.llm._retry import backoff_delay, is_retryable_status, parse_retry_after

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("3", 3.0),
        (" 1.5 ", 1.5),
        ("0", 0.0),
        ("-4", 0.0),
        (formatdate(NOW + 30, usegmt=True), 30.0),
        (formatdate(NOW - 30, usegmt=True), 0.0),
        (None, None),
        ("soon", None),
        ("nan", None),
        ("", None),
    ],
)
def test_parse_retry_after(header, seconds):
    assert parse_retry_after(header, now=NOW) == seconds


def test_retryable_statuses():
    assert all(is_retryable_status(s) for s in (408, 409, 429, 500, 502, 503, 504, 520))
    assert not any(is_retryable_status(s) for s in (400, 401, 403, 404, 422))


def test_backoff_grows_is_jittered_and_capped():
    for attempt, step in [(1, 0.5), (2, 1.0), (3, 2.0), (10, 8.0)]:
        delays = {backoff_delay(attempt, base=0.5, cap=8.0) for _ in range(50)}
        assert all(step / 2 <= d <= step for d in delays)
        assert len(delays) > 1
