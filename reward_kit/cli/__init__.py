"""The ``reward-kit`` command line: one module per subcommand in this package.

Each public module here (``run.py``, ``preview.py``, ...) defines ``register(subparsers)``, which
adds its parser and sets ``handler`` to a function ``(args) -> int``. Modules import their heavy
dependencies inside the handler, so ``reward-kit --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

from reward_kit import __version__
from reward_kit._suggest import did_you_mean
from reward_kit.cli._help import Parser
from reward_kit.errors import RewardKitError

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with every subcommand found in this package."""
    parser = Parser(
        prog="reward-kit",
        description="Author, evaluate, train with and deploy reward functions for LLM RL.",
        epilog="Documentation: 'reward-kit docs' lists the pages, 'reward-kit docs PAGE' prints "
        "one (start with 'reward-kit docs getting-started'); 'reward-kit COMMAND --help' shows a "
        "command's options.",
    )
    parser.add_argument("--version", action="version", version=f"reward-kit {__version__}")
    subparsers = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not module_info.name.startswith("_"):
            module = importlib.import_module(f"{__name__}.{module_info.name}")
            module.register(subparsers)
    for command in subparsers.choices.values():
        if "--debug" not in command._option_string_actions:
            command.add_argument(
                "--debug",
                action="store_true",
                help="show the full traceback of an unexpected error (also HYDRA_FULL_ERROR=1)",
            )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``reward-kit`` console script; returns the exit code.

    A :class:`RewardKitError` prints as one line, ``reward-kit COMMAND: error: ...``, and so does
    any other exception (a bug, or a failure reward-kit has no message for yet), with its type;
    ``--debug`` or ``HYDRA_FULL_ERROR=1`` lets it through with the full traceback.
    """
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if extra and not getattr(args, "accepts_extra_args", False):
        command = _command_parser(parser, args.command)
        options = [option for action in command._actions for option in action.option_strings]
        flag = next((word.split("=", 1)[0] for word in extra if word.startswith("-")), "")
        hint = did_you_mean(flag, options) if flag else ""
        command.error(f"unrecognized arguments: {' '.join(extra)}{hint}")
    args.extra_args = extra
    if os.getcwd() not in sys.path:  # user references import from here, as with python -m
        sys.path.append(os.getcwd())
    try:
        return int(args.handler(args))
    except RewardKitError as exc:
        print(f"reward-kit {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"reward-kit {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if getattr(args, "debug", False) or os.environ.get("HYDRA_FULL_ERROR") == "1":
            raise
        print(
            f"reward-kit {args.command}: error: {type(exc).__name__}: {exc} "
            f"('reward-kit {args.command} --debug ...' shows the traceback)",
            file=sys.stderr,
        )
        return 1


def _command_parser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    """The parser of the subcommand ``name``."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            command: argparse.ArgumentParser = action.choices[name]
            return command
    return parser


if __name__ == "__main__":
    sys.exit(main())
