"""docs/cli.md is generated from the parser and must match it."""

from __future__ import annotations

from reward_kit.cli import build_parser
from reward_kit.cli._docs import DOCS_PATH, render_cli_reference


def test_cli_reference_is_current():
    assert DOCS_PATH.read_text(encoding="utf-8") == render_cli_reference(), (
        "docs/cli.md is out of date: run  PYTHONPATH=. python -m reward_kit.cli._docs --write"
    )


def test_cli_reference_covers_every_subcommand_and_flag():
    text = render_cli_reference()
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, subparser in subparsers.choices.items():
        assert f"## `reward-kit {name}`" in text
        for action in subparser._actions:
            for flag in action.option_strings:
                assert flag in text, f"{name} {flag}"
