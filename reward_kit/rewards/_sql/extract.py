"""Finding the SQL in a response: a fenced block, ``<sql>`` tags, or the whole text."""

from __future__ import annotations

import re

_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n(.*?)```", re.DOTALL)
_TAGS = re.compile(r"<sql>(.*?)</sql>", re.DOTALL | re.IGNORECASE)
_LEADING_COMMENTS = re.compile(r"^\s*(?:(?:--[^\n]*(?:\n|$)|/\*.*?\*/)\s*)*", re.DOTALL)
# Statements of any kind: a whole-text answer that is a statement is vetted (and refused with
# its reason), while prose is not mistaken for one.
_QUERY_START = re.compile(
    r"(?:\(|(?:select|with|from|values|table|insert|update|delete|merge|drop|create|alter|"
    r"attach|detach|copy|install|load|pragma|set|reset|call|export|import|use|checkpoint|"
    r"vacuum|truncate|grant|begin|commit|force|rollback|pivot|unpivot|summarize|describe|show|explain)\b)",
    re.IGNORECASE,
)


def extract_sql(text: str) -> tuple[str, str]:
    """The query in ``text`` and how it was found; ``("", reason)`` when there is none.

    The last ```` ```sql ```` block wins, else the last unlabelled fenced block, else the last
    ``<sql>...</sql>``, else the whole text when it starts like a query.
    """
    blocks = [(label.lower(), body) for label, body in _FENCE.findall(text)]
    for wanted, how in (("sql", "```sql block"), ("", "fenced block")):
        bodies = [body for label, body in blocks if label in (wanted, "duckdb", "postgresql")]
        if bodies and bodies[-1].strip():
            return bodies[-1].strip(), how
    tagged = _TAGS.findall(text)
    if tagged and tagged[-1].strip():
        return tagged[-1].strip(), "<sql> tags"
    stripped = text.strip()
    body = stripped[_LEADING_COMMENTS.match(stripped).end() :]  # type: ignore[union-attr]
    if _QUERY_START.match(body):
        return stripped, "whole response"
    return "", "no SQL found (no ```sql block, no <sql> tags, no text starting like SQL)"
