"""Agent evaluation: run tool-using agents on task bundles and score the final state.

A bundle is a folder with ``tools.py`` (a :class:`ToolRegistry`), ``reward.py`` (``evaluate``),
``task.jsonl`` and optionally ``seed.sql``; ``reward-kit agent-eval`` runs it. See
``docs/agent-eval.md``. Bundles import :class:`ToolRegistry` from here.
"""

from reward_kit.agent.bundle import Problem, TaskBundle, TaskRow
from reward_kit.agent.resources import DB, AsyncDB, DictStateResource, ReadOnlyDB, SQLiteResource
from reward_kit.agent.tools import Tool, ToolRegistry

__all__ = [
    "DB",
    "AsyncDB",
    "DictStateResource",
    "Problem",
    "ReadOnlyDB",
    "SQLiteResource",
    "TaskBundle",
    "TaskRow",
    "Tool",
    "ToolRegistry",
]
