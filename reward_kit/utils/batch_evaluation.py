"""Score batch-reward input (from :mod:`reward_kit.utils.batch_transformation`) per request.

A call that raises or returns the wrong number of results makes every variant of its request
invalid, with the error; the other requests are still scored.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reward_kit._registry import resolve_reward
from reward_kit.models import EvaluateResult

__all__ = ["run_batch_evaluation"]

_NOT_KWARGS = frozenset({"request_id", "rollouts_messages", "num_variants"})


def _score(reward: Any, entry: dict[str, Any]) -> list[EvaluateResult]:
    rollouts = entry["rollouts_messages"]
    kwargs = {key: value for key, value in entry.items() if key not in _NOT_KWARGS}
    try:
        results = reward(rollouts_messages=rollouts, **kwargs)
        if not isinstance(results, list) or len(results) != len(rollouts):
            raise ValueError(f"returned {type(results).__name__}, not {len(rollouts)} results")
        return [
            r if isinstance(r, EvaluateResult) else EvaluateResult.model_validate(r)
            for r in results
        ]
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        return [EvaluateResult.invalid(error) for _ in rollouts]


def run_batch_evaluation(
    batch_jsonl_path: str | Path,
    reward_function_path: str,
    output_path: str | Path | None = None,
) -> list[dict[str, Any]]:
    """Call the batch reward at ``reward_function_path`` once per request of the input.

    Args:
        batch_jsonl_path: JSONL of batch entries (``request_id``, ``rollouts_messages``, ...);
            their other fields are passed to the reward as keyword arguments.
        reward_function_path: ``pkg.mod.fn``, ``pkg.mod:fn``, ``path/file.py:fn`` or a name.
        output_path: Where to write one JSON line per variant (not written when None).

    Returns:
        One row per variant: ``request_id``, ``response_id`` and the result's fields.
    """
    reward = resolve_reward(reward_function_path)
    rows: list[dict[str, Any]] = []
    for line in Path(batch_jsonl_path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        for index, result in enumerate(_score(reward, entry)):
            rows.append(
                {
                    "request_id": entry.get("request_id"),
                    "response_id": index,
                    **result.model_dump(mode="json"),
                }
            )
    if output_path is not None:
        with Path(output_path).open("w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(row) + "\n" for row in rows)
    return rows
