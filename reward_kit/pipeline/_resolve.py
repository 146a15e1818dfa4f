"""Finding the reward a config names, the same way its dataset path is found.

A file reference (``../main.py:evaluate``) and a dotted one whose module is a file
(``main.evaluate``) are looked up in the working directory first, then next to the config, as
``dataset.path_or_name`` is; anything else is imported (the working directory is on the import
path, as with ``python -m``). A miss says where it looked and suggests a close name.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from reward_kit._registry import registered_names, resolve_reward
from reward_kit._suggest import did_you_mean
from reward_kit.errors import RewardNotFoundError

__all__ = ["find_reward"]


def _file_and_attribute(reference: str) -> tuple[str, str] | None:
    """``(relative file, attribute)`` when the reference names a Python file, else None."""
    if ":" in reference:
        target, attribute = reference.rsplit(":", 1)
        if target.endswith(".py") or "/" in target or "\\" in target:
            return target, attribute
        return None
    if "." in reference and "/" not in reference:
        module, attribute = reference.rsplit(".", 1)
        return str(Path(*module.split(".")).with_suffix(".py")), attribute
    return None


def find_reward(reference: str, config_dir: Path | None) -> Any:
    """The reward function for a ``function_path``: registered name or reference.

    Raises:
        RewardNotFoundError: nothing found, naming the folders searched and a close name.
    """
    cwd = str(Path.cwd())
    if cwd not in sys.path:
        sys.path.append(cwd)
    folders = [Path.cwd()] + ([config_dir] if config_dir is not None else [])
    located = _file_and_attribute(reference)
    if located is not None:
        relative, attribute = located
        for folder in folders:
            candidate = (folder / relative).resolve()
            if candidate.is_file():
                try:
                    return resolve_reward(f"{candidate}:{attribute}")
                except RewardNotFoundError as exc:
                    message = str(exc).replace(f"{candidate}:{attribute}: ", "")
                    raise RewardNotFoundError(f"reward {reference!r}: {message}") from None
        if ":" in reference:  # a file reference: there is nothing to import instead
            where = " or ".join(dict.fromkeys(str(folder) for folder in folders))
            raise RewardNotFoundError(
                f"reward {reference!r}: no file {relative} in {where} (relative paths are "
                f"looked up in the working directory, then next to the config)"
                f"{_close_file(relative, folders)}"
            )
    try:
        return resolve_reward(reference, config_dir)
    except RewardNotFoundError as exc:
        if located is not None:
            hint = _close_file(located[0], folders)
        else:
            hint = did_you_mean(reference, registered_names())
        raise RewardNotFoundError(f"{exc}{hint}") from None


def _close_file(relative: str, folders: list[Path]) -> str:
    """`` (did you mean 'x.py'?)`` for a Python file near the one that is missing."""
    names = [
        path.name
        for folder in folders
        if (folder / relative).parent.is_dir()
        for path in (folder / relative).parent.glob("*.py")
    ]
    return did_you_mean(Path(relative).name, names)
