"""docs/cli.md is generated from the parser (scripts/generate_cli_docs.py) and must match it."""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
from pathlib import Path

from reward_kit.cli import build_parser

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "generate_cli_docs.py"


def _generator():
    spec = importlib.util.spec_from_file_location("generate_cli_docs", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_current():
    generator = _generator()
    assert generator.DOCS_PATH.read_text(encoding="utf-8") == generator.render_cli_reference(), (
        "docs/cli.md is out of date: run  python scripts/generate_cli_docs.py --write"
    )


def test_check_mode_of_the_script_passes():
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def _parsers(parser: argparse.ArgumentParser, name: str):
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, subparser in action.choices.items():
                yield from _parsers(subparser, f"{name} {sub_name}")


def test_cli_reference_covers_every_subcommand_action_and_flag():
    text = _generator().render_cli_reference()
    names = []
    for name, parser in _parsers(build_parser(), "reward-kit"):
        names.append(name)
        section = text.split(f"## `{name}`\n", 1)[1].split("\n## ", 1)[0]
        for action in parser._actions:
            for flag in action.option_strings:
                assert flag in section, f"{name} {flag}"
    assert {"reward-kit docs", "reward-kit rft create", "reward-kit serve keys list"} <= set(names)
