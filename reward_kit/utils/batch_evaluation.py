"""Score batch-reward input (from :mod:`reward_kit.utils.batch_transformation`) per request.

Each request's call runs in the scoring engine's worker pool with a time limit. A call that
raises, returns the wrong number of results, runs past its limit or kills its worker makes
every variant of its request invalid, with the error; the other requests are still scored.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reward_kit._registry import resolve_reward
from reward_kit._workers import shared_pool
from reward_kit.errors import EvaluationError
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
    *,
    timeout: float | None = 60.0,
    workers: int | None = None,
) -> list[dict[str, Any]]:
    """Call the batch reward at ``reward_function_path`` once per request of the input.

    Args:
        batch_jsonl_path: JSONL of batch entries (``request_id``, ``rollouts_messages``, ...);
            their other fields are passed to the reward as keyword arguments.
        reward_function_path: ``pkg.mod.fn``, ``pkg.mod:fn``, ``path/file.py:fn`` or a name.
        output_path: Where to write one JSON line per variant (not written when None).
        timeout: Seconds one request's call may take (None: no limit).
        workers: Worker processes (default: all CPUs; 0 calls the reward in this process,
            where a time limit cannot be enforced).

    Returns:
        One row per variant: ``request_id``, ``response_id`` and the result's fields.
    """
    reward = resolve_reward(reward_function_path)
    entries = [
        json.loads(line)
        for line in Path(batch_jsonl_path).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    if workers == 0:
        scored = [_score(reward, entry) for entry in entries]
    else:
        pool = shared_pool("scoring", workers)
        futures = [pool.submit(_score, reward, entry, timeout=timeout) for entry in entries]
        scored = [_outcome(future, entry) for future, entry in zip(futures, entries, strict=True)]
    rows: list[dict[str, Any]] = []
    for entry, results in zip(entries, scored, strict=True):
        for index, result in enumerate(results):
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


def _outcome(future: Any, entry: dict[str, Any]) -> list[EvaluateResult]:
    """A request's results, or invalid ones saying why the call did not finish."""
    try:
        results: list[EvaluateResult] = future.result()
    except EvaluationError as exc:  # a time-out, a crashed worker, a reward that cannot be sent
        return [EvaluateResult.invalid(str(exc)) for _ in entry["rollouts_messages"]]
    return results
