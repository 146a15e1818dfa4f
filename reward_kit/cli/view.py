"""``reward-kit view``: serve a run's report, or the comparison of two runs, on 127.0.0.1."""

from __future__ import annotations

import argparse
from typing import Any

from reward_kit.cli._flags import port

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``view`` subcommand."""
    parser = subparsers.add_parser(
        "view",
        help="look at a run's report in the browser, or compare two runs",
        description=(
            "Serve the report of a run directory (the page of its report.html, rebuilt from "
            "results.jsonl and summary.json) on 127.0.0.1 and open it in the browser. Given two "
            "run directories, serve their comparison: samples matched by id and variant, score "
            "changes, paired per-metric deltas with 95% intervals, new and removed errors; "
            "each run's own report is linked from it. Stop with Ctrl-C."
        ),
    )
    parser.add_argument("run", metavar="RUN_DIR", help="a run directory (holding results.jsonl)")
    parser.add_argument("run2", nargs="?", metavar="RUN_DIR2", help="a second run to compare")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=port, default=7575, help="port; a free one when it is taken")
    parser.add_argument("--no-open", action="store_true", help="do not open a browser")
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    import webbrowser

    from reward_kit.report._serve import PageServer
    from reward_kit.report._views import view_pages

    pages = view_pages(args.run, args.run2)
    with PageServer(pages, args.host, args.port) as server:
        print(f"reward-kit view: serving on {server.url} (Ctrl-C to stop)", flush=True)
        if not args.no_open:
            webbrowser.open(server.url)
        server.serve_forever()
    return 0
