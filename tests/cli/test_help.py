"""Every ``--help`` shows each option's default and names docs pages by ``reward-kit docs``."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator

import pytest

from reward_kit.cli import build_parser


def _parsers(
    parser: argparse.ArgumentParser, name: str = "reward-kit"
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """The parser and, depth first, every subcommand and action parser under it."""
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, subparser in action.choices.items():
                yield from _parsers(subparser, f"{name} {sub_name}")


def _flat(text: str) -> str:
    return " ".join(text.split())


PARSERS = dict(_parsers(build_parser()))


def _has_default(action: argparse.Action) -> bool:
    """Stated here apart from the formatter: set, not off, not an empty list."""
    default = action.default
    if default in (None, False, argparse.SUPPRESS) or default == []:
        return False
    return bool(action.option_strings) or action.nargs in ("?", "*")


def test_every_command_is_walked():
    names = set(PARSERS)
    for expected in ("reward-kit run", "reward-kit docs", "reward-kit rft create",
                     "reward-kit serve keys create", "reward-kit secrets list"):  # fmt: skip
        assert expected in names


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_every_default_is_shown(name, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    parser = PARSERS[name]
    for action in parser._actions:
        if not _has_default(action):
            continue
        formatter = parser._get_formatter()
        formatter.add_argument(action)
        shown = _flat(formatter.format_help())
        assert f"(default: {action.default})" in shown, f"{name} {action.dest}: {shown}"


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_help_names_pages_not_repository_paths(name, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    text = PARSERS[name].format_help()
    assert not re.search(r"docs/|\.md\b", text), f"{name} --help points into the repository"
    assert "%%" not in text, f"{name} --help shows a doubled percent sign"


def test_top_level_help_points_to_the_docs_command():
    assert "reward-kit docs" in _flat(PARSERS["reward-kit"].format_help())


def test_defaults_are_not_doubled(monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    for name, parser in PARSERS.items():
        text = _flat(parser.format_help())
        assert not re.search(r"\(default: [^)]*\) \(default:", text), name
