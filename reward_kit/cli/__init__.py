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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``reward-kit`` console script; returns the exit code."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if extra and not getattr(args, "accepts_extra_args", False):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
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


if __name__ == "__main__":
    sys.exit(main())
