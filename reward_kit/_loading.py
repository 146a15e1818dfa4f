"""Turning references into functions: ``pkg.mod:fn``, ``pkg.mod.fn``, ``path/main.py:fn``.

Modules loaded from a file path get a stable synthetic name, so a function defined in a metrics
folder's ``main.py`` can be pickled by reference and loaded again in a worker process.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from reward_kit._suggest import did_you_mean
from reward_kit.errors import ModuleLoadError, RewardKitError, RewardNotFoundError

_FILE_MODULE_PREFIX = "reward_kit_user_"
_loaded_files: dict[str, str] = {}
"""Synthetic module name -> absolute file path, for modules loaded from files."""


def _file_module_name(path: Path) -> str:
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:12]
    stem = "".join(char if char.isalnum() else "_" for char in path.stem)
    return f"{_FILE_MODULE_PREFIX}{stem}_{digest}"


def _import_failure(what: str, exc: Exception) -> ModuleLoadError:
    """Say where a user's module failed to import and why, in one line instead of a traceback."""
    detail, where = str(exc), ""
    if isinstance(exc, SyntaxError):
        detail, where = str(exc.msg), f" ({exc.filename}, line {exc.lineno})"
    elif frames := traceback.extract_tb(exc.__traceback__):
        where = f" ({frames[-1].filename}, line {frames[-1].lineno})"
    return ModuleLoadError(f"{what}: {type(exc).__name__}: {detail}{where}")


def load_module_from_file(path: str | Path) -> ModuleType:
    """Import a Python file as a module (once per path); its folder joins ``sys.path``.

    The folder is added so that the file can import its sibling modules, as a script would.
    An exception the file raises on import becomes a ``ModuleLoadError`` naming file and line.
    """
    file = Path(path).expanduser().resolve()
    if not file.is_file():
        raise RewardNotFoundError(f"no Python file at {file}")
    name = _file_module_name(file)
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:
        raise RewardNotFoundError(f"cannot import {file} as a Python module")
    module = importlib.util.module_from_spec(spec)
    folder = str(file.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    sys.modules[name] = module
    _loaded_files[name] = str(file)
    try:
        spec.loader.exec_module(module)
    except BaseException as exc:
        del sys.modules[name]
        del _loaded_files[name]
        if isinstance(exc, Exception):
            raise _import_failure(str(file), exc) from exc
        raise
    return module


def module_reference(module_name: str) -> str:
    """How to find a module again in another process: its file path or its dotted name."""
    return _loaded_files.get(module_name, module_name)


def loaded_file(module_name: str) -> str | None:
    """The file a module was loaded from by :func:`load_module_from_file`, else None."""
    return _loaded_files.get(module_name)


def _resolve_attribute(module: ModuleType, qualname: str, reference: str) -> Any:
    target: Any = module
    for part in qualname.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            # A file's module has a synthetic name: show the file instead.
            where = _loaded_files.get(module.__name__, module.__name__)
            names = [name for name in dir(target) if not name.startswith("_")]
            raise RewardNotFoundError(
                f"{reference}: {where} has no attribute {qualname!r}"
                f"{did_you_mean(part, names)}"
            ) from None
    return target


def _import(module_name: str, reference: str) -> ModuleType:
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            raise RewardNotFoundError(
                f"{reference}: no module named {exc.name!r} (is it installed or on sys.path?)"
            ) from exc
        raise _import_failure(f"{reference}: module {module_name!r}", exc) from exc
    except Exception as exc:
        raise _import_failure(f"{reference}: module {module_name!r}", exc) from exc


def load_reference(reference: str, base_dir: str | Path | None = None) -> Any:
    """Load the object a reference names.

    Args:
        reference: ``pkg.mod:attr``, ``pkg.mod.attr`` or ``path/to/file.py:attr`` (the attribute
            may be dotted, such as ``Class.method``).
        base_dir: Folder that relative file paths, and dotted modules that are files in it, are
            looked up in first (the folder of a config that names the function).
    """
    if ":" in reference and not reference.endswith(":"):
        target, qualname = reference.rsplit(":", 1)
        if target.endswith(".py") or "/" in target or "\\" in target:
            path = Path(target)
            if not path.is_absolute() and base_dir is not None:
                path = Path(base_dir) / path
            return _resolve_attribute(load_module_from_file(path), qualname, reference)
        return _resolve_attribute(_import(target, reference), qualname, reference)
    if "." not in reference:
        raise RewardNotFoundError(
            f"{reference!r} is not a reference: use 'pkg.module:function', 'pkg.module.function'"
            " or 'path/to/file.py:function'"
        )
    module_name, attribute = reference.rsplit(".", 1)
    if base_dir is not None:
        local_file = Path(base_dir, *module_name.split(".")).with_suffix(".py")
        if local_file.is_file():
            return _resolve_attribute(load_module_from_file(local_file), attribute, reference)
    return _resolve_attribute(_import(module_name, reference), attribute, reference)


def parse_metrics_folders(specs: Sequence[str]) -> dict[str, str]:
    """``--metrics-folders NAME=PATH ...`` as ``{name: path}``, in the order given.

    Raises:
        RewardKitError: a spec without a name or a path, or a name given twice.
    """
    folders: dict[str, str] = {}
    for spec in specs:
        name, separator, path = spec.partition("=")
        if not separator or not name or not path:
            raise RewardKitError(f"--metrics-folders {spec!r}: expected NAME=PATH")
        if name in folders:
            raise RewardKitError(f"--metrics-folders: the name {name!r} is given twice")
        folders[name] = path
    return folders


def load_metrics_folders(specs: Sequence[str]) -> dict[str, Any]:
    """Load ``--metrics-folders NAME=PATH ...``: each ``PATH/main.py`` must define ``evaluate``.

    The one loader of metrics folders, used by ``preview``, ``serve`` and the compat
    ``Evaluator``. Returns ``{name: evaluate}`` in the order given.

    Raises:
        RewardKitError: a bad spec (see :func:`parse_metrics_folders`).
        RewardNotFoundError: a folder without ``main.py``, or a ``main.py`` without ``evaluate``.
        ModuleLoadError: ``main.py`` fails to import.
    """
    metrics: dict[str, Any] = {}
    for name, folder in parse_metrics_folders(specs).items():
        main = Path(folder).expanduser().resolve() / "main.py"
        if not main.is_file():
            raise RewardNotFoundError(f"--metrics-folders {name}={folder}: {main} does not exist")
        evaluate = load_reference(f"{main}:evaluate")
        if not callable(evaluate):
            raise RewardNotFoundError(
                f"--metrics-folders {name}={folder}: {main}: evaluate is not a function"
            )
        metrics[name] = evaluate
    return metrics
