"""The registry of decorated reward functions, so configs can name a reward by short name.

A reward is registered under its ``id`` when it has one, else under its function name. Two
different functions with the same explicit ``id`` are an error when the second is decorated.
Plain function names clash easily (every metrics folder defines ``evaluate``), so a clash there
only makes the short name ambiguous: looking it up then fails with the candidates listed, and
the full reference (``pkg.mod:fn`` or ``path/main.py:fn``) still works.

Rewards are found through the entry-point group ``reward_kit.rewards``: each entry names a
module (or ``module:attr``) whose import registers rewards. The built-ins are listed there in
reward-kit's own ``pyproject.toml``, and any installed package can add its own the same way::

    [project.entry-points."reward_kit.rewards"]
    my_rewards = "my_package.rewards"
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from reward_kit._loading import load_reference
from reward_kit.errors import DuplicateRewardNameError, RewardNotFoundError

ENTRY_POINT_GROUP = "reward_kit.rewards"


@dataclass
class _Entry:
    explicit: bool
    rewards: dict[str, Any] = field(default_factory=dict)
    """Reference (``module:qualname``) -> decorated function, one per distinct definition."""


_lock = threading.Lock()
_entries: dict[str, _Entry] = {}
_discovery_lock = threading.Lock()
"""Held while the entry points load (apart from ``_lock``, which their imports take)."""
_discovered = False
_unimportable: dict[str, str] = {}
"""Reward modules of the entry points that failed to import -> why."""


def register(name: str, reference: str, reward: Any, *, explicit: bool) -> None:
    """Record ``reward`` under ``name``; re-registering the same definition replaces it."""
    with _lock:
        entry = _entries.setdefault(name, _Entry(explicit=explicit))
        others = [ref for ref in entry.rewards if ref != reference]
        if others and (explicit or entry.explicit):
            raise DuplicateRewardNameError(
                f"reward name {name!r} is already used by {others[0]}; "
                f"cannot register {reference} under it too (give one of them another id=)"
            )
        entry.explicit = entry.explicit or explicit
        entry.rewards[reference] = reward


def _discover_rewards() -> None:
    """Load the ``reward_kit.rewards`` entry points once, so that their rewards register.

    A module that cannot be imported (usually: its optional extra is not installed, or a
    plug-in is broken) is remembered with the reason, so that a failed lookup can say why a name
    may be missing. Other threads wait until every entry point has loaded.
    """
    global _discovered
    if _discovered:
        return
    with _discovery_lock:
        if _discovered:
            return
        for entry_point in entry_points(group=ENTRY_POINT_GROUP):
            try:
                entry_point.load()
            except Exception as exc:  # a plug-in's failure must not hide the other rewards
                _unimportable[entry_point.value] = f"{type(exc).__name__}: {exc}"
        _discovered = True


def lookup(name: str) -> Any:
    """Return the reward registered under ``name`` (built-in rewards are found on demand)."""
    if name not in _entries:
        _discover_rewards()
    entry = _entries.get(name)
    if entry is None or not entry.rewards:
        skipped = "".join(
            f"; {module} could not be imported ({reason})"
            for module, reason in sorted(_unimportable.items())
        )
        raise RewardNotFoundError(
            f"no reward function is registered as {name!r}; give a reference such as "
            f"'pkg.module:function' or 'path/to/main.py:evaluate'{skipped}"
        )
    if len(entry.rewards) > 1:
        candidates = ", ".join(sorted(entry.rewards))
        raise RewardNotFoundError(
            f"reward name {name!r} is ambiguous, it names: {candidates}; "
            "use one of these references"
        )
    return next(iter(entry.rewards.values()))


def registered_names() -> list[str]:
    """Names of the rewards registered so far (built-ins only once something looked them up)."""
    return sorted(_entries)


def resolve_reward(name_or_reference: str, base_dir: str | Path | None = None) -> Any:
    """Resolve a short registered name (``math_reward``) or a reference to a function."""
    is_reference = any(mark in name_or_reference for mark in (":", ".", "/"))
    if is_reference:
        return load_reference(name_or_reference, base_dir)
    return lookup(name_or_reference)
