"""One help style for every command: each option's default is shown as ``(default: X)``.

``build_parser`` makes the top-level parser a :class:`Parser`; argparse builds subcommand and
action parsers with the class of their parent, so every parser of the CLI gets the formatter
without each ``add_parser`` call naming it.
"""

from __future__ import annotations

import argparse
import re
from typing import Any, NoReturn

from reward_kit._suggest import did_you_mean

__all__ = ["DefaultsHelpFormatter", "Parser", "RawDescriptionDefaultsHelpFormatter", "has_default"]


def has_default(action: argparse.Action) -> bool:
    """Whether ``--help`` shows the action's default: a value other than unset, off or empty."""
    default = action.default
    if default is None or default is False or default is argparse.SUPPRESS:
        return False
    if isinstance(default, (list, tuple, str)) and not default:
        return False
    return bool(action.option_strings) or action.nargs in (argparse.OPTIONAL, argparse.ZERO_OR_MORE)


class DefaultsHelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, appending ``(default: X)`` to the help of options that have one.

    Unlike ``argparse.ArgumentDefaultsHelpFormatter`` it leaves out the defaults that say
    nothing (``None``, ``False`` of a flag, an empty list).
    """

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help
        if text is None or "%(default)" in text or not has_default(action):
            return text
        return f"{text} (default: %(default)s)"


class RawDescriptionDefaultsHelpFormatter(
    DefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter
):
    """:class:`DefaultsHelpFormatter` that keeps the description's and epilog's line breaks."""


class Parser(argparse.ArgumentParser):
    """``ArgumentParser`` whose help uses :class:`DefaultsHelpFormatter` unless told otherwise."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", DefaultsHelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        """Exit 2 with ``message``, adding the closest choice to an ``invalid choice`` error."""
        invalid = _INVALID_CHOICE.search(message)
        if invalid is not None:
            message += did_you_mean(invalid["word"], re.findall(r"'([^']*)'", invalid["choices"]))
        super().error(message)


_INVALID_CHOICE = re.compile(r"invalid choice: '(?P<word>[^']*)' \(choose from (?P<choices>.*)\)")
