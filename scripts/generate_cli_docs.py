"""Generate ``docs/cli.md`` from the parser, so the CLI reference cannot drift from the code.

Every registered subcommand is included, in the order ``reward-kit --help`` lists them::

    python scripts/generate_cli_docs.py --write     # rewrite docs/cli.md
    python scripts/generate_cli_docs.py --check     # exit 1 if docs/cli.md is out of date
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout's package

from reward_kit.cli import build_parser

__all__ = ["DOCS_PATH", "render_cli_reference"]

DOCS_PATH = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
_WIDTH = "100"

_HEADER = """\
# Command-line reference

This page is generated from the parser of `reward-kit` by
`python scripts/generate_cli_docs.py --write`; a test fails when it differs from the code.
Configuration keys of `reward-kit run` are in [configuration.md](configuration.md)
(`reward-kit docs configuration`). Every page can be read in the terminal with
`reward-kit docs PAGE`.
"""


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _sections(title: str, parser: argparse.ArgumentParser) -> list[str]:
    """The section of ``parser``, then those of its actions (``rft create``), depth first."""
    sections = [_section(title, parser.format_help())]
    for name, subparser in _subcommands(parser).items():
        sections.extend(_sections(f"{title} {name}", subparser))
    return sections


def render_cli_reference() -> str:
    """The Markdown of ``docs/cli.md``: the help of ``reward-kit`` and of every subcommand and
    action."""
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = _WIDTH  # argparse wraps to the terminal width: fix it
    try:
        sections = [_HEADER, *_sections("reward-kit", build_parser())]
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved
    return "\n".join(sections)


def _section(title: str, help_text: str) -> str:
    return f"## `{title}`\n\n```text\n{help_text.rstrip()}\n```\n"


def main() -> int:
    """Write or check ``docs/cli.md``."""
    parser = argparse.ArgumentParser(description="Generate docs/cli.md from the CLI parser.")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", action="store_true", help="rewrite docs/cli.md")
    group.add_argument("--check", action="store_true", help="fail if docs/cli.md is stale")
    args = parser.parse_args()
    text = render_cli_reference()
    if args.write:
        DOCS_PATH.write_text(text, encoding="utf-8")
        return 0
    current = DOCS_PATH.read_text(encoding="utf-8") if DOCS_PATH.exists() else ""
    if current != text:
        print(f"{DOCS_PATH} is out of date: run python scripts/generate_cli_docs.py --write")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
