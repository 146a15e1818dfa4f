"""Tests of reward_kit/_loading.py: user modules that fail to import say where and why."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import pytest

from reward_kit._loading import (
    load_metrics_folders,
    load_module_from_file,
    load_reference,
    parse_metrics_folders,
)
from reward_kit.errors import ModuleLoadError, RewardKitError, RewardNotFoundError


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    main = tmp_path / "main.py"
    main.write_text("x = 1\ndef evaluate(:\n    pass\n")
    with pytest.raises(ModuleLoadError, match=r"SyntaxError: invalid syntax \(.*main\.py, line 2"):
        load_module_from_file(main)


def test_exception_on_import_names_its_type_and_line(tmp_path: Path) -> None:
    main = tmp_path / "main.py"
    main.write_text("import math\nraise RuntimeError('bad config')\n")
    with pytest.raises(ModuleLoadError) as caught:
        load_reference(f"{main}:evaluate")
    message = str(caught.value)
    assert f"RuntimeError: bad config ({main}, line 2)" in message
    assert isinstance(caught.value, RewardKitError)
    assert isinstance(caught.value, ImportError)


def test_missing_dependency_of_a_user_file_is_reported(tmp_path: Path) -> None:
    main = tmp_path / "main.py"
    main.write_text("import reward_kit_no_such_dependency\n")
    with pytest.raises(ModuleLoadError, match="No module named 'reward_kit_no_such_dependency'"):
        load_reference(f"{main}:evaluate")


def test_failed_import_can_be_retried_after_a_fix(tmp_path: Path) -> None:
    main = tmp_path / "main.py"
    main.write_text("raise ValueError('not yet')\n")
    with pytest.raises(ModuleLoadError):
        load_module_from_file(main)
    main.write_text("def evaluate(**kwargs):\n    return 1\n")
    assert load_reference(f"{main}:evaluate")() == 1


def test_dotted_module_that_raises_on_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "rk_broken_pkg_mod.py").write_text("1 / 0\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        with pytest.raises(ModuleLoadError, match="ZeroDivisionError"):
            load_reference("rk_broken_pkg_mod:evaluate")
    finally:
        sys.modules.pop("rk_broken_pkg_mod", None)


def test_missing_module_is_still_not_found() -> None:
    with pytest.raises(RewardNotFoundError, match="no module named"):
        load_reference("reward_kit_no_such_module:evaluate")


def test_module_load_error_survives_pickling() -> None:
    error = pickle.loads(pickle.dumps(ModuleLoadError("main.py: syntax error")))
    assert isinstance(error, ModuleLoadError)
    assert str(error) == "main.py: syntax error"


def test_metrics_folders_are_name_path_pairs_with_unique_names() -> None:
    assert parse_metrics_folders(["a=x", "b=y=z"]) == {"a": "x", "b": "y=z"}
    for bad in (["x"], ["=x"], ["a="]):
        with pytest.raises(RewardKitError, match="expected NAME=PATH"):
            parse_metrics_folders(bad)
    with pytest.raises(RewardKitError, match="the name 'a' is given twice"):
        parse_metrics_folders(["a=x", "a=y"])


def test_metrics_folders_load_their_evaluate_in_order(tmp_path: Path) -> None:
    for name, score in (("b", 0.5), ("a", 1.0)):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "main.py").write_text(f"def evaluate(messages, **kw):\n    return {score}\n")
    loaded = load_metrics_folders([f"second={tmp_path / 'b'}", f"first={tmp_path / 'a'}"])
    assert list(loaded) == ["second", "first"]
    assert [fn([]) for fn in loaded.values()] == [0.5, 1.0]


def test_metrics_folder_without_main_or_evaluate_is_named(tmp_path: Path) -> None:
    with pytest.raises(RewardNotFoundError, match=r"m=.*main\.py does not exist"):
        load_metrics_folders([f"m={tmp_path}"])
    (tmp_path / "main.py").write_text("def evaluat(messages, **kw):\n    return 1.0\n")
    with pytest.raises(RewardNotFoundError, match="no attribute 'evaluate'.*evaluat"):
        load_metrics_folders([f"m={tmp_path}"])
    constant = tmp_path / "constant"
    constant.mkdir()
    (constant / "main.py").write_text("evaluate = 3\n")
    with pytest.raises(RewardNotFoundError, match="evaluate is not a function"):
        load_metrics_folders([f"m={constant}"])
