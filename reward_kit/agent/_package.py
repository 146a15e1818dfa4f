"""Importing a bundle's modules by path, as one synthetic package, without touching sys.path.

``tools.py``, ``reward.py`` and their helpers are submodules of a package named after the
bundle's folder, so ``from .helpers import x`` works with or without an ``__init__.py``.
A toolset or evaluator named by a dotted path (``examples.flight_task.tools``) is looked up in
the bundle first, dropping leading parts until a file matches, then imported normally.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.machinery
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from reward_kit.errors import ModuleLoadError, RewardNotFoundError

__all__ = ["bundle_package", "resolve_module", "split_reference"]

_PREFIX = "reward_kit_bundle_"


def bundle_package(folder: Path) -> str:
    """The name of the synthetic package of ``folder``, created on first use."""
    folder = folder.resolve()
    digest = hashlib.sha256(str(folder).encode()).hexdigest()[:12]
    stem = "".join(char if char.isalnum() else "_" for char in folder.name)
    name = f"{_PREFIX}{stem}_{digest}"
    if name in sys.modules:
        return name
    init = folder / "__init__.py"
    if init.is_file():
        spec = importlib.util.spec_from_file_location(
            name, init, submodule_search_locations=[str(folder)]
        )
    else:
        spec = importlib.machinery.ModuleSpec(name, None, is_package=True)
        spec.submodule_search_locations = [str(folder)]
    if spec is None:
        raise ModuleLoadError(f"cannot make a package of {folder}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    if spec.loader is not None:
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            del sys.modules[name]
            raise ModuleLoadError(f"{init}: {type(exc).__name__}: {exc}") from exc
    return name


def _bundle_candidate(folder: Path, spec: str) -> str | None:
    """The bundle-relative dotted name of ``spec`` when it names a file in ``folder``."""
    if spec.endswith(".py") or "/" in spec:
        path = (folder / spec).resolve()
        try:
            relative = path.relative_to(folder.resolve())
        except ValueError:
            return None
        return ".".join(relative.with_suffix("").parts) if path.is_file() else None
    parts = spec.split(".")
    for start in range(len(parts)):
        tail = parts[start:]
        if Path(folder, *tail).with_suffix(".py").is_file() or Path(folder, *tail).is_dir():
            return ".".join(tail)
    return None


def resolve_module(folder: Path, spec: str) -> ModuleType:
    """Import the module ``spec`` names: a bundle file first, then an installed module.

    Raises:
        RewardNotFoundError: nothing by that name.
        ModuleLoadError: the module raised while importing (file and line in the message).
    """
    local = _bundle_candidate(folder, spec)
    target = f"{bundle_package(folder)}.{local}" if local else spec
    try:
        return importlib.import_module(target)
    except ModuleNotFoundError as exc:
        if local is None and exc.name and spec.startswith(exc.name):
            raise RewardNotFoundError(f"no module {spec!r} in {folder} or installed") from exc
        raise _failure(spec, exc) from exc
    except Exception as exc:
        raise _failure(spec, exc) from exc


def _failure(spec: str, exc: Exception) -> ModuleLoadError:
    where = ""
    if isinstance(exc, SyntaxError):
        where = f" ({exc.filename}, line {exc.lineno})"
    else:
        traceback = exc.__traceback__
        while traceback is not None and traceback.tb_next is not None:
            traceback = traceback.tb_next
        if traceback is not None:
            where = f" ({traceback.tb_frame.f_code.co_filename}, line {traceback.tb_lineno})"
    return ModuleLoadError(f"module {spec!r}: {type(exc).__name__}: {exc}{where}")


def split_reference(folder: Path, reference: str) -> tuple[str, str]:
    """``(module, attribute)`` of ``mod:fn``, ``mod.fn``, or a module with ``evaluate``."""
    if ":" in reference:
        module, attribute = reference.rsplit(":", 1)
        return module, attribute
    if _bundle_candidate(folder, reference) is not None or "." not in reference:
        return reference, "evaluate"
    module, attribute = reference.rsplit(".", 1)
    return module, attribute
