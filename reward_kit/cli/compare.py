"""``reward-kit compare``: how run B differs from run A, printed and as JSON for CI."""

from __future__ import annotations

import argparse
import json
from typing import Any

from reward_kit._atomic import replaced_when_complete
from reward_kit.cli._output import check_output

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``compare`` subcommand."""
    parser = subparsers.add_parser(
        "compare",
        help="compare two runs: score changes, paired deltas, new and removed errors",
        description=(
            "Compare run B against run A. Samples are matched by id and variant; the paired "
            "delta (B - A) of the score and of each metric comes with its 95% interval, over "
            "the rows valid in both runs. Rows that gained or lost an error are counted apart "
            "from score changes. --output writes everything, each changed sample included, "
            "as JSON."
        ),
    )
    parser.add_argument("run_a", metavar="A", help="the baseline run directory")
    parser.add_argument("run_b", metavar="B", help="the run directory compared with it")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the comparison as JSON")
    parser.add_argument(
        "--fail-on-regression",
        action="store_true",
        help="exit 1 when B is worse than A: the score's paired 95%% interval lies below 0, "
        "or B has rows failing that A scored (for CI gates)",
    )
    parser.set_defaults(handler=_handle)


def _statistic(stat: dict[str, Any]) -> str:
    if stat["delta"] is None:
        return "no pairs"
    text = f"{stat['mean_a']:.4f} -> {stat['mean_b']:.4f}  delta {stat['delta']:+.4f}"
    if stat["ci95"] is not None:
        text += f" (95% CI {stat['ci95'][0]:+.4f} .. {stat['ci95'][1]:+.4f})"
    return f"{text}, {stat['pairs']} pairs"


def _handle(args: argparse.Namespace) -> int:
    from reward_kit.report import compare_runs

    output = check_output("--output", args.output, "comparison.json") if args.output else None
    diff = compare_runs(args.run_a, args.run_b)
    counts = diff["counts"]
    print(f"A: {diff['a']}\nB: {diff['b']}")
    print(
        f"matched rows: {diff['matched']} ({len(diff['only_in_a'])} only in A, "
        f"{len(diff['only_in_b'])} only in B)"
    )
    print(f"score: {_statistic(diff['score'])}")
    for name, stat in diff["metrics"].items():
        print(f"  {name}: {_statistic(stat)}")
    print(
        f"improved {counts['improved']}, regressed {counts['regressed']}, "
        f"unchanged {counts['unchanged']}, new errors {counts['new_error']}, "
        f"errors fixed {counts['fixed_error']}, failed in both {counts['still_error']}"
    )
    for entry in diff["errors"]["new"]:
        print(f"  new error ({entry['count_b']} rows): {entry['error']}")
    for entry in diff["errors"]["removed"]:
        print(f"  gone error ({entry['count_a']} rows): {entry['error']}")
    if output is not None:
        with replaced_when_complete(output) as handle:
            json.dump(diff, handle, indent=2, ensure_ascii=False)
            handle.write("\n")
        print(f"comparison written to {args.output}")
    if args.fail_on_regression and (reason := _regression(diff)):
        print(f"regression: {reason}")
        return 1
    return 0


def _regression(diff: dict[str, Any]) -> str | None:
    """Why B counts as worse than A, or None: a significant drop, or newly failing rows."""
    interval = diff["score"]["ci95"]
    if interval is not None and interval[1] < 0:
        return f"the score dropped by {-diff['score']['delta']:.4f} (95% CI entirely below 0)"
    if diff["counts"]["new_error"]:
        return f"{diff['counts']['new_error']} rows that A scored could not be scored in B"
    return None
