"""Tests of reward_kit/_remote.py: the one reader of servers' error messages."""

from __future__ import annotations

import httpx
import pytest

from reward_kit._remote import server_message


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"detail": "messages[0].role is invalid"}, "messages[0].role is invalid"),
        ({"detail": [{"loc": ["body"], "msg": "bad"}]}, '[{"loc": ["body"], "msg": "bad"}]'),
        ({"error": {"message": "model not found", "code": 404}}, "model not found"),
        ({"error": {"code": 7}}, '{"code": 7}'),
        ({"error": "quota exceeded"}, "quota exceeded"),
        ({"message": "job nope not found"}, "job nope not found"),
        ({"something": 1}, '{"something": 1}'),
        (["a", "b"], '["a", "b"]'),
    ],
)
def test_json_error_bodies(body: object, expected: str) -> None:
    assert server_message(httpx.Response(400, json=body)) == expected


def test_non_json_bodies_give_their_start_or_the_reason_phrase() -> None:
    assert server_message(httpx.Response(502, text="<html>Bad gateway</html>")) == (
        "<html>Bad gateway</html>"
    )
    assert server_message(httpx.Response(503, text="x" * 20), limit=5) == "xxxxx ..."
    assert server_message(httpx.Response(503)) == "Service Unavailable"
