"""The registry of decorated reward functions, so configs can name a reward by short name.

A reward is registered under its ``id`` when it has one, else under its function name. Two
different functions with the same explicit ``id`` are an error when the second is decorated.
Plain function names clash easily (every metrics folder defines ``evaluate``), so a clash there
only makes the short name ambiguous: looking it up then fails with the candidates listed, and
the full reference (``pkg.mod:fn`` or ``path/main.py:fn``) still works.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reward_kit._loading import load_reference
from reward_kit.errors import DuplicateRewardNameError, RewardNotFoundError

_BUILTIN_PACKAGE = "reward_kit.rewards"


@dataclass
class _Entry:
    explicit: bool
    rewards: dict[str, Any] = field(default_factory=dict)
    """Reference (``module:qualname``) -> decorated function, one per distinct definition."""


_lock = threading.Lock()
_entries: dict[str, _Entry] = {}
_discovered = False
_unimportable: dict[str, str] = {}
"""Built-in reward modules that failed to import -> why."""


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


def _discover_builtin_rewards() -> None:
    """Import the built-in reward modules once, so that their rewards register themselves.

    A module that cannot be imported (usually: its optional extra is not installed) is
    remembered with the reason, so that a failed lookup can say why a name may be missing.
    """
    global _discovered
    if _discovered:
        return
    _discovered = True
    package = importlib.import_module(_BUILTIN_PACKAGE)
    for module in pkgutil.iter_modules(package.__path__):
        if module.name.startswith("_"):
            continue
        full_name = f"{_BUILTIN_PACKAGE}.{module.name}"
        try:
            importlib.import_module(full_name)
        except ImportError as exc:
            _unimportable[full_name] = f"{type(exc).__name__}: {exc}"


def lookup(name: str) -> Any:
    """Return the reward registered under ``name`` (built-in rewards are found on demand)."""
    if name not in _entries:
        _discover_builtin_rewards()
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
