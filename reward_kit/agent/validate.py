"""``--validate-only``: every problem of a bundle, as ``file:line: message``, without running it.

Checks the required files, that ``tools.py`` imports with one registry and the reward exists,
that rows parse with unique ids and resolvable toolsets, that seeds run in a scratch database
and ``end_goal_sql`` prepares on it, and that tool schemas are valid JSON Schema.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]

from reward_kit.agent._reward import load_reward
from reward_kit.agent.bundle import BundleError, Problem, TaskBundle, TaskRow, registry_of
from reward_kit.agent.resources import seed_database
from reward_kit.errors import RewardKitError

__all__ = ["validate_bundle"]


def validate_bundle(bundle: TaskBundle) -> tuple[list[Problem], list[Problem]]:
    """The bundle's ``(errors, warnings)``; warnings (undeclared tool arguments) do not fail it."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    missing = [name for name in ("tools.py", "reward.py") if not (bundle.folder / name).is_file()]
    if missing:
        message = f"Missing required files in task bundle: {', '.join(missing)}"
        errors.append(Problem(str(bundle.folder), 1, message))
    if "tools.py" not in missing and not bundle.registry_override:
        try:
            registry_of(bundle.module("tools"))
        except RewardKitError as exc:
            file = str(bundle.folder / "tools.py")
            errors.append(Problem(file, 1, f"Failed to import tool registry from {file}: {exc}"))
    if "reward.py" not in missing or bundle.evaluator:
        try:
            load_reward(bundle.folder, bundle.reward_reference)
        except RewardKitError as exc:
            errors.append(Problem(str(bundle.folder / "reward.py"), 1, str(exc)))
    errors.extend(bundle.problems)
    with tempfile.TemporaryDirectory(prefix="reward-kit-validate-") as scratch:
        for row in bundle.rows:
            _check_row(bundle, row, Path(scratch), errors, warnings)
    return errors, warnings


def _check_row(
    bundle: TaskBundle, row: TaskRow, scratch: Path, errors: list[Problem], warnings: list[Problem]
) -> None:
    where = str(bundle.rows_file)

    def report(message: str) -> None:
        errors.append(Problem(where, row.line, f"row {row.id!r}: {message}"))

    try:
        tools = bundle.tools(row)
    except RewardKitError as exc:
        report(f"toolset: {exc}")
    else:
        for tool in tools.values():
            warnings.extend(Problem(where, row.line, text) for text in tool.warnings)
            try:
                jsonschema.Draft202012Validator.check_schema(tool.parameters)
            except jsonschema.SchemaError as exc:
                report(f"tool {tool.name!r} has an invalid schema: {exc.message}")
    try:
        seed = bundle.seed_sql(row)
    except BundleError as exc:
        report(str(exc))
        return
    path = scratch / f"row_{row.line}.sqlite"
    try:
        seed_database(path, seed)
    except sqlite3.Error as exc:
        report(f"seed SQL fails: {exc}")
        return
    if row.end_goal_sql:
        connection = sqlite3.connect(path)
        try:
            connection.execute(f"EXPLAIN {row.end_goal_sql}")
        except sqlite3.Error as exc:
            report(f"end_goal_sql does not prepare: {exc}")
        finally:
            connection.close()
