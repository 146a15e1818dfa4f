"""Tests of the package as a whole: public names, import cost, the command line."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests._support.public_names import ALSO_EXPORTED, PUBLIC_NAMES

ROOT = Path(__file__).resolve().parents[1]

# The flags DESIGN.md lists for each command (its compatibility surface).
CLI_FLAGS = {
    "run": ["--config-path", "--config-name"],
    "preview": ["--metrics-folders", "--samples", "--max-samples", "--output", "--remote-url"],
    "deploy": [
        "--id",
        "--metrics-folders",
        "--display-name",
        "--description",
        "--force",
        "--target",
        "--function-ref",
    ],
    "serve": ["--function-ref", "--metrics-folders"],
}


@pytest.mark.parametrize(("module_name", "names"), PUBLIC_NAMES.items())
def test_public_names_are_importable_and_exported(module_name: str, names: list[str]) -> None:
    module = importlib.import_module(module_name)
    for name in module.__all__:
        assert hasattr(module, name), f"{module_name}.{name} is missing"
    assert len(module.__all__) == len(set(module.__all__)), f"{module_name}.__all__ repeats a name"
    # Equal, not only containing: a name added to or dropped from __all__ is a decision.
    expected = {*names, *ALSO_EXPORTED.get(module_name, [])}
    assert set(module.__all__) == expected, module_name


def _run_python(code: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout


def test_importing_reward_kit_loads_no_heavy_dependency() -> None:
    loaded = json.loads(
        _run_python("import sys, json, reward_kit; print(json.dumps(list(sys.modules)))")
    )
    heavy = {"httpx", "numpy", "torch", "trl", "datasets", "hydra", "fastapi", "sympy", "e2b"}
    assert heavy.isdisjoint(name.split(".")[0] for name in loaded)


def test_command_line_help_and_version() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    help_text = subprocess.run(
        [sys.executable, "-m", "reward_kit", "--help"], env=env, capture_output=True, text=True
    )
    assert help_text.returncode == 0
    assert "usage: reward-kit" in help_text.stdout
    version = subprocess.run(
        [sys.executable, "-m", "reward_kit", "--version"], env=env, capture_output=True, text=True
    )
    assert version.stdout.strip().startswith("reward-kit ")
    bare = subprocess.run([sys.executable, "-m", "reward_kit"], env=env, capture_output=True)
    assert bare.returncode == 2


def _subcommand_options(command: str) -> set[str]:
    from reward_kit.cli import build_parser

    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {
        flag for action in subparsers.choices[command]._actions for flag in action.option_strings
    }


@pytest.mark.parametrize(("command", "flags"), CLI_FLAGS.items())
def test_cli_has_every_documented_flag(command: str, flags: list[str]) -> None:
    assert set(flags) <= _subcommand_options(command)


def test_deploy_targets_are_the_documented_ones() -> None:
    from reward_kit.cli import build_parser

    parser = build_parser()
    args = parser.parse_args(["deploy", "--id", "x", "--target", "gcp-cloud-run"])
    assert args.target == "gcp-cloud-run"
    for target in ("fireworks", "local-serve"):
        assert parser.parse_args(["deploy", "--id", "x", "--target", target]).target == target


def test_the_version_is_written_once() -> None:
    import re
    from importlib.metadata import version

    import reward_kit

    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    project = pyproject.split("[project]", 1)[1].split("\n[", 1)[0]
    assert re.search(r"^dynamic = \[\"version\"\]", project, re.MULTILINE), project
    assert not re.search(r"^version\s*=", project, re.MULTILINE)
    assert 'version = { attr = "reward_kit.__version__" }' in pyproject
    assert version("reward-kit") == reward_kit.__version__
