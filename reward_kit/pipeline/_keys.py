"""The keys of the run schema, so overrides and config files are checked before a run starts.

Hydra accepts ``+key=value`` for any key and then lets the schema object; its advice for a
misspelt key is to add ``+``, which would silently add a key nothing reads. Here every override
is checked against :class:`RunConfig`, with or without ``+``, and a miss names the closest key.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

from reward_kit._suggest import did_you_mean
from reward_kit.pipeline.config import ConfigError, RunConfig

__all__ = ["check_override_keys", "suggest_key"]

_FREE_FORM = object()
"""Marks a key whose children are free-form (a dict such as ``reward.params``, or a list)."""


def _tree(schema: type) -> dict[str, Any]:
    hints = typing.get_type_hints(schema)
    tree: dict[str, Any] = {}
    for field in dataclasses.fields(schema):
        kind = hints[field.name]
        is_schema = isinstance(kind, type) and dataclasses.is_dataclass(kind)
        tree[field.name] = _tree(kind) if is_schema else _FREE_FORM
    return tree


def _lookup(key: str) -> tuple[bool, str, list[str]]:
    """Whether dotted ``key`` exists; else the part that is unknown and its siblings."""
    node: Any = _tree(RunConfig)
    parts = key.split(".")
    for index, part in enumerate(parts):
        if node is _FREE_FORM:
            return True, "", []
        if part not in node:
            prefix = ".".join(parts[:index])
            siblings = [f"{prefix}.{name}" if prefix else name for name in node]
            return False, ".".join(parts[: index + 1]), siblings
        node = node[part]
    return True, "", []


def suggest_key(key: str) -> str:
    """`` (did you mean 'generation.temperature'?)`` for an unknown dotted key, else ``""``."""
    found, unknown, siblings = _lookup(key)
    return "" if found else did_you_mean(unknown, siblings)


def check_override_keys(overrides: list[str]) -> None:
    """Reject overrides of keys the run schema does not have (``hydra.*`` is Hydra's own).

    Raises:
        ConfigError: naming the first unknown key and the closest known one.
    """
    for override in overrides:
        if override.startswith("-") or "=" not in override:
            continue
        key = override.split("=", 1)[0].lstrip("+~")
        if key.startswith("hydra.") or key in ("hydra", "defaults"):
            continue
        found, unknown, siblings = _lookup(key)
        if not found:
            raise ConfigError(
                f"unknown config key '{unknown}' in override {override!r}"
                f"{did_you_mean(unknown, siblings)}; see 'reward-kit run --help' for the keys"
            )
