"""Tests of reward_kit/errors.py: its exception tree lists every exception reward-kit defines."""

from __future__ import annotations

import ast
import builtins
import re
from collections import Counter
from pathlib import Path

import reward_kit.errors
from reward_kit.pipeline._prompts import RowProblem
from reward_kit.server._registry._errors import ServiceError

PACKAGE = Path(reward_kit.errors.__file__).parent
_BUILTIN_BASES = {
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
}


def _exception_classes() -> dict[tuple[str, str], list[str]]:
    """Every class in reward_kit deriving (by name, through any chain) from an exception.

    Keyed by (file, class name), so two classes of one name in different modules both count.
    """
    bases: dict[tuple[str, str], list[str]] = {}
    for file in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                names = [ast.unparse(base).rsplit(".", 1)[-1] for base in node.bases]
                bases[(str(file.relative_to(PACKAGE)), node.name)] = names
    found: dict[tuple[str, str], list[str]] = {}
    grew = True
    while grew:
        grew = False
        known = {name for _, name in found}
        for key, names in bases.items():
            if key not in found and any(b in _BUILTIN_BASES or b in known for b in names):
                found[key] = names
                grew = True
    return found


def test_the_tree_lists_every_exception_class() -> None:
    doc = reward_kit.errors.__doc__ or ""
    classes = _exception_classes()
    assert len(classes) > 30  # the scan found the package's exceptions
    missing = {name: file for file, name in classes if not re.search(rf"\b{name}\b", doc)}
    assert not missing, f"add these to the tree in reward_kit/errors.py: {missing}"
    # A name defined in several modules is in the tree once per module.
    files_by_name = Counter(name for _, name in classes)
    short = {
        name: count
        for name, count in files_by_name.items()
        if count > 1 and len(re.findall(rf"[├└]── {name}\b", doc)) < count
    }
    assert not short, f"classes of one name in several modules, each needs a line: {short}"


def test_errors_raised_to_callers_derive_from_reward_kit_error() -> None:
    assert issubclass(ServiceError, reward_kit.errors.RewardKitError)
    assert issubclass(RowProblem, reward_kit.errors.RewardKitError)
