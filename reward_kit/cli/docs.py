"""``reward-kit docs``: read the user documentation in the terminal, installed with the package."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reward_kit._docs import Page

__all__ = ["register"]

_USAGE_ERROR = 2


def register(subparsers: Any) -> None:
    """Add the ``docs`` subcommand."""
    parser = subparsers.add_parser(
        "docs",
        help="list and read the documentation pages",
        description=(
            "List the documentation pages (name and title), print one, or find the pages that "
            "mention a word. A page is rendered on a terminal; piped or redirected, it is "
            "printed as its Markdown source. Pages in folders are named like rewards/math (or "
            "just math when that is unique)."
        ),
    )
    parser.add_argument(
        "page", nargs="?", metavar="PAGE", help="page to print, e.g. getting-started, rewards/math"
    )
    parser.add_argument(
        "--raw", action="store_true", help="print the Markdown source, also on a terminal"
    )
    parser.add_argument(
        "--path",
        action="store_true",
        help="print the page's file path (without PAGE: the folder holding the pages)",
    )
    parser.add_argument(
        "--search", metavar="WORD", help="list the pages that mention WORD (case-insensitive)"
    )
    parser.set_defaults(handler=_handle)


def _error(message: str) -> int:
    print(f"reward-kit docs: error: {message}", file=sys.stderr)
    return _USAGE_ERROR


def _handle(args: argparse.Namespace) -> int:
    from reward_kit._docs import docs_root, find_page, list_pages, search_pages
    from reward_kit._suggest import did_you_mean

    if args.search is not None and (args.page or args.raw or args.path):
        return _error("--search lists pages: give it without PAGE, --raw or --path")
    if args.page is None:
        if args.raw:
            return _error("--raw needs a PAGE")
        if args.path:
            print(docs_root())
            return 0
        if args.search is not None:
            return _print_search(search_pages(args.search, list_pages()), args.search)
        _write(_table([(page.name, page.title) for page in list_pages()]))
        return 0
    pages = list_pages()
    page = find_page(args.page, pages)
    if page is None:
        names = [page.name for page in pages]
        hint = did_you_mean(args.page, names + [name.rsplit("/", 1)[-1] for name in names])
        return _error(f"no page {args.page!r}{hint}; 'reward-kit docs' lists the pages")
    if args.path:
        print(page.path)
    elif args.raw or not sys.stdout.isatty():
        _write(page.text())
    else:
        _render(page.text())
    return 0


def _print_search(found: list[tuple[Page, int]], word: str) -> int:
    if not found:
        print(f"reward-kit docs: no page mentions {word!r}", file=sys.stderr)
        return 1
    rows = [(page.name, f"{page.title} ({count} line{'s' * (count != 1)})")
            for page, count in found]  # fmt: skip
    _write(_table(rows))
    return 0


def _table(rows: list[tuple[str, str]]) -> str:
    width = max(len(name) for name, _ in rows)
    return "".join(f"{name:<{width}}  {text}\n" for name, text in rows)


def _render(markdown: str) -> None:
    """The page rendered by rich, for a terminal."""
    from rich.console import Console
    from rich.markdown import Markdown

    Console().print(Markdown(markdown, hyperlinks=False))


def _write(text: str) -> None:
    """Write to standard output; a reader that stops early (``| head``) is not an error."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit either
