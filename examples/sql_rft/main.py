"""``evaluate``: the built-in SQL execution reward on this example's flight tables.

The tables are the CSV files in ``data/`` (loaded once into a cached, read-only DuckDB file);
the reference of each question is a query run on the same tables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reward_kit import EvaluateResult, Message, reward_function
from reward_kit.rewards.sql import sql_execution_reward

DATA = Path(__file__).resolve().parent / "data"


@reward_function
async def evaluate(
    messages: list[Message], ground_truth: Any = None, **kwargs: Any
) -> EvaluateResult:
    """Run the response's query on the flight tables and compare it with the reference's."""
    return await sql_execution_reward.acall(
        messages, ground_truth=ground_truth, database=str(DATA), **kwargs
    )
