"""A task bundle: its folder, its rows (``task.jsonl``) and how toolsets and the reward resolve.

Loading never stops at the first problem: rows that cannot be read are recorded as
:class:`Problem` (``file:line: message``), so ``--validate-only`` can list them all.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from reward_kit.agent._package import resolve_module
from reward_kit.agent.tools import Tool, ToolRegistry, merge_tools
from reward_kit.errors import RewardKitError

__all__ = ["BundleError", "Problem", "TaskBundle", "TaskRow", "registry_of"]

_KNOWN_KEYS = {
    "id",
    "initial_messages",
    "toolset",
    "seed_sql",
    "end_goal_sql",
    "sim_user_prompt",
    "n_rollouts",
    "ground_truth",
    "user_turns",
    "mock_responses",
    "initial_state",
}
DEFAULT_TOOLSET = "tools"


class BundleError(RewardKitError):
    """A bundle that cannot be run (its message says which file and why)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a bundle, at a file and line."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class TaskRow:
    """One row of ``task.jsonl``: a task and how to run it."""

    id: str
    initial_messages: list[dict[str, Any]]
    line: int
    toolset: list[str] = field(default_factory=lambda: [DEFAULT_TOOLSET])
    seed_sql: str | None = None
    """The row's own ``seed_sql`` (inline SQL or ``file:rel.sql``), if it has one."""
    end_goal_sql: str | None = None
    sim_user_prompt: str | None = None
    n_rollouts: int = 1
    ground_truth: Any = None
    user_turns: list[str] = field(default_factory=list)
    mock_responses: list[dict[str, Any]] = field(default_factory=list)
    initial_state: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    """Other keys, passed to the reward as keyword arguments."""

    @classmethod
    def parse(cls, data: Any, line: int) -> TaskRow:
        """Read one decoded JSON line; raises ``ValueError`` saying what is wrong."""
        if not isinstance(data, dict):
            raise ValueError(f"a row must be a JSON object, got {type(data).__name__}")
        if not isinstance(data.get("id"), (str, int)) or data.get("id") == "":
            raise ValueError("row has no 'id'")
        messages = data.get("initial_messages")
        if not isinstance(messages, list) or not messages:
            raise ValueError(f"row {data['id']!r}: 'initial_messages' must be a non-empty list")
        if not all(isinstance(m, dict) and "role" in m for m in messages):
            raise ValueError(f"row {data['id']!r}: every initial message needs a 'role'")
        toolset = data.get("toolset", DEFAULT_TOOLSET)
        toolsets = [toolset] if isinstance(toolset, str) else toolset
        if not isinstance(toolsets, list) or not all(isinstance(t, str) for t in toolsets):
            raise ValueError(f"row {data['id']!r}: 'toolset' must be a name or a list of names")
        n_rollouts = data.get("n_rollouts", 1)
        if not isinstance(n_rollouts, int) or n_rollouts < 1:
            raise ValueError(f"row {data['id']!r}: 'n_rollouts' must be a positive integer")
        for key, kind in (("user_turns", list), ("mock_responses", list)):
            if not isinstance(data.get(key, []), kind):
                raise ValueError(f"row {data['id']!r}: {key!r} must be a list")
        state = data.get("initial_state")
        if state is not None and not isinstance(state, dict):
            raise ValueError(f"row {data['id']!r}: 'initial_state' must be an object")
        return cls(
            id=str(data["id"]),
            initial_messages=messages,
            line=line,
            toolset=toolsets,
            seed_sql=data.get("seed_sql"),
            end_goal_sql=data.get("end_goal_sql"),
            sim_user_prompt=data.get("sim_user_prompt"),
            n_rollouts=n_rollouts,
            ground_truth=data.get("ground_truth"),
            user_turns=[str(turn) for turn in data.get("user_turns", [])],
            mock_responses=list(data.get("mock_responses", [])),
            initial_state=state,
            extra={k: v for k, v in data.items() if k not in _KNOWN_KEYS},
        )


def registry_of(module: ModuleType) -> ToolRegistry:
    """The one ``ToolRegistry`` instance a module defines (``R`` when it defines several)."""
    found = {name: value for name, value in vars(module).items() if isinstance(value, ToolRegistry)}
    if len(found) == 1:
        return next(iter(found.values()))
    if "R" in found:
        return found["R"]
    what = "no ToolRegistry instance" if not found else f"several registries: {sorted(found)}"
    raise BundleError(f"{module.__name__} defines {what}; define one (conventionally R)")


@dataclass
class TaskBundle:
    """A bundle folder and its rows.

    Args:
        folder: The bundle directory (``tools.py``, ``reward.py``, ``seed.sql``, helpers).
        rows_file: The rows file (``folder/task.jsonl`` unless ``--dataset`` names another).
        registries: ``--registries`` aliases: name to module.
        registry_override: ``--registry-override``: every row uses this module's tools.
        evaluator: ``--evaluator``: the reward reference used instead of ``reward.evaluate``.
    """

    folder: Path
    rows_file: Path
    registries: Mapping[str, str] = field(default_factory=dict)
    registry_override: str | None = None
    evaluator: str | None = None
    rows: list[TaskRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @classmethod
    def load(
        cls,
        task_dir: str | Path | None = None,
        dataset: str | Path | None = None,
        **options: Any,
    ) -> TaskBundle:
        """The bundle of ``task_dir`` (and/or the rows of ``dataset``), rows parsed."""
        if task_dir is None and dataset is None:
            raise BundleError("give a task directory or a dataset file")
        rows_file = Path(dataset) if dataset is not None else Path(task_dir or ".") / "task.jsonl"
        folder = Path(task_dir) if task_dir is not None else rows_file.parent
        bundle = cls(folder.resolve(), rows_file.resolve(), **options)
        bundle.read_rows()
        return bundle

    @property
    def reward_reference(self) -> str:
        """The reward to call: ``--evaluator`` or the bundle's ``reward.evaluate``."""
        return self.evaluator or "reward:evaluate"

    def read_rows(self) -> None:
        """Parse the rows file, recording unreadable lines and duplicate ids as problems."""
        self.rows = []
        seen: dict[str, int] = {}
        where = str(self.rows_file)
        if self.rows_file.is_dir():
            self.problems.append(Problem(where, 0, "is a folder, not a rows file (JSONL)"))
            return
        if not self.rows_file.is_file():
            self.problems.append(Problem(where, 0, "rows file not found"))
            return
        data = self.rows_file.read_bytes().removeprefix(b"\xef\xbb\xbf")  # a BOM from an editor
        for number, raw in enumerate(data.splitlines(), start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                message = f"not UTF-8 (byte {exc.start + 1} is {raw[exc.start]:#04x})"
                self.problems.append(Problem(where, number, message))
                continue
            if not line.strip():
                continue
            try:
                row = TaskRow.parse(json.loads(line), number)
            except ValueError as exc:  # JSONDecodeError is one too
                self.problems.append(Problem(where, number, str(exc)))
                continue
            except RecursionError:
                self.problems.append(Problem(where, number, "JSON nested too deeply to read"))
                continue
            if row.id in seen:
                message = f"duplicate id {row.id!r} (first on line {seen[row.id]})"
                self.problems.append(Problem(where, number, message))
                continue
            seen[row.id] = number
            self.rows.append(row)
        if not self.rows and not self.problems:
            self.problems.append(Problem(where, 0, "holds no tasks"))

    def module(self, spec: str) -> ModuleType:
        """Import a bundle module (or an installed one) by name or path."""
        return resolve_module(self.folder, spec)

    def toolsets(self, row: TaskRow) -> list[str]:
        """The module names a row's tools come from, after aliases and the override."""
        names = [self.registry_override] if self.registry_override else row.toolset
        return [self.registries.get(name, name) for name in names]

    def tools(self, row: TaskRow) -> dict[str, Tool]:
        """A row's tools, merged from its toolsets; a duplicate name is a ``BundleError``."""
        try:
            return merge_tools(
                (name, registry_of(self.module(name))) for name in self.toolsets(row)
            )
        except ValueError as exc:
            raise BundleError(str(exc)) from exc

    def seed_sql(self, row: TaskRow) -> str | None:
        """The SQL that builds a row's base database, or None for no database.

        Raises:
            BundleError: a ``file:`` seed that does not exist (never skipped silently).
        """
        if row.seed_sql is None:
            default = self.folder / "seed.sql"
            return default.read_text(encoding="utf-8") if default.is_file() else None
        if row.seed_sql.startswith("file:"):
            path = self.folder / row.seed_sql[len("file:") :]
            if not path.is_file():
                raise BundleError(f"seed file {path} not found")
            return path.read_text(encoding="utf-8")
        return row.seed_sql
