"""The bundle's reward as the scoring engine runs it: loaded by reference inside the worker.

A reward defined in a bundle lives in a synthetic package no other process knows, so it cannot
be pickled by reference; :class:`BundleReward` travels instead as (folder, module, attribute)
and imports the function in the worker on first call. ``async def`` rewards run to completion
there too, so every reward gets the worker's killable time limit.
"""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path
from types import ModuleType
from typing import Any

from reward_kit.agent._package import resolve_module, split_reference
from reward_kit.errors import RewardNotFoundError

__all__ = ["BundleReward", "load_reward"]


def load_reward(folder: Path, reference: str) -> Any:
    """The reward function ``reference`` names, resolved in the bundle ``folder``.

    Raises:
        RewardNotFoundError: no such module or attribute, or it is not callable.
    """
    module_name, attribute = split_reference(folder, reference)
    target: Any = resolve_module(folder, module_name)
    for part in attribute.split("."):
        if not hasattr(target, part):
            raise RewardNotFoundError(f"{reference}: {module_name!r} has no attribute {part!r}")
        target = getattr(target, part)
    if isinstance(target, ModuleType):
        target = getattr(target, "evaluate", None)
    if not callable(target):
        raise RewardNotFoundError(f"{reference}: not a function (a module needs 'evaluate')")
    return target


class BundleReward:
    """A picklable stand-in for a bundle's reward, resolved where it is called.

    Args:
        folder: The bundle directory.
        reference: ``mod:fn``, ``mod.fn`` or a module with ``evaluate``.
    """

    is_async = False
    """The scoring engine runs it in a worker whatever the reward is (see the module doc)."""

    def __init__(self, folder: Path, reference: str) -> None:
        self.folder = Path(folder)
        self.reference = reference
        self.__name__ = reference
        self._func: Any = None

    def __call__(self, **kwargs: Any) -> Any:
        if self._func is None:
            self._func = load_reward(self.folder, self.reference)
        value = self._func(**kwargs)
        if inspect.isawaitable(value):
            return asyncio.run(_awaited(value))
        return value

    def __getstate__(self) -> dict[str, Any]:
        return {"folder": str(self.folder), "reference": self.reference}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(Path(state["folder"]), state["reference"])  # type: ignore[misc]


async def _awaited(value: Any) -> Any:
    return await value
