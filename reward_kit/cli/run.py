"""``reward-kit run``: evaluate a model on a dataset as a Hydra config describes."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register"]

_EPILOG = """\
Any further arguments go to Hydra: overrides such as generation.model_name=NAME or
evaluation_params.limit_samples=10, hydra.run.dir=DIR (an earlier run directory resumes that
run), --multirun with comma-separated values to sweep, --cfg job to print the composed config.
See docs/configuration.md for every key."""


def register(subparsers: Any) -> None:
    """Add the ``run`` subcommand."""
    parser = subparsers.add_parser(
        "run",
        help="generate and score responses for a dataset (Hydra config)",
        description=(
            "Load a dataset, generate responses with an OpenAI-compatible API (optional), "
            "score them with reward functions, and write results.jsonl, "
            "preview_input_output_pairs.jsonl and summary.json into the run directory."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--config-path",
        required=True,
        metavar="DIR",
        help="folder holding the run config (and any main.py it names)",
    )
    parser.add_argument(
        "--config-name", required=True, metavar="NAME", help="config file name, .yaml optional"
    )
    parser.set_defaults(handler=_handle, accepts_extra_args=True)


def _handle(args: argparse.Namespace) -> int:
    from reward_kit.pipeline._hydra import run_with_hydra

    return run_with_hydra(args.config_path, args.config_name, list(args.extra_args))
