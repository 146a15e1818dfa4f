"""Group N-variant result rows (one line per variant) into batch-reward input (one per prompt).

Rows of ``reward-kit run`` with ``n > 1`` carry the sample id in ``id`` and the variant index
in ``variant``; reward-kit's own rows use ``request_id`` and ``response_id``. Both are read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["transform_n_variant_jsonl_to_batch_format"]

_OWN_FIELDS = {"request_id": "id", "response_id": "variant"}


def _field(row: dict[str, Any], name: str) -> Any:
    if name in row:
        return row[name]
    return row.get(_OWN_FIELDS.get(name, name))


def transform_n_variant_jsonl_to_batch_format(
    input_file_path: str | Path,
    output_file_path: str | Path | None = None,
    request_id_field: str = "request_id",
    response_id_field: str = "response_id",
    messages_field: str = "messages",
    fallback_messages_fields: list[str] | None = None,
) -> list[dict[str, Any]]:
    """One batch entry per request: ``request_id``, ``rollouts_messages`` (in variant order),
    ``num_variants`` and the other fields of the request's first row.

    Args:
        input_file_path: JSONL with one row per variant.
        output_file_path: Where to write the entries as JSONL (not written when None).
        request_id_field: Field shared by the variants of one request.
        response_id_field: Field holding the variant index.
        messages_field: Field holding a variant's conversation.
        fallback_messages_fields: With no ``messages_field``: ``[prompt_field, response_field]``
            to build a user/assistant conversation from.

    Raises:
        ValueError: a line that is not a JSON object, or a row without an id or conversation
            (with its line number).
    """
    groups: dict[Any, list[tuple[Any, dict[str, Any], list[Any]]]] = {}
    path = Path(input_file_path)
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        if not isinstance(row, dict):
            raise ValueError(f"{path}, line {number}: expected a JSON object")
        request_id = _field(row, request_id_field)
        messages = row.get(messages_field)
        if messages is None and fallback_messages_fields:
            prompt, response = (row.get(name) for name in fallback_messages_fields[:2])
            if prompt is not None and response is not None:
                messages = [
                    {"role": "user", "content": str(prompt)},
                    {"role": "assistant", "content": str(response)},
                ]
        if request_id is None or not isinstance(messages, list):
            raise ValueError(
                f"{path}, line {number}: needs {request_id_field!r} and a {messages_field!r} list"
            )
        groups.setdefault(request_id, []).append((_field(row, response_id_field), row, messages))
    entries = []
    for request_id, variants in groups.items():
        variants.sort(key=lambda variant: (variant[0] is None, variant[0]))
        skipped = {request_id_field, response_id_field, messages_field, "id", "variant"}
        metadata = {k: v for k, v in variants[0][1].items() if k not in skipped}
        entries.append(
            {
                **metadata,
                "request_id": request_id,
                "rollouts_messages": [messages for _, _, messages in variants],
                "num_variants": len(variants),
            }
        )
    if output_file_path is not None:
        with Path(output_file_path).open("w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(entry) + "\n" for entry in entries)
    return entries
