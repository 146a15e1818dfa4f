"""``reward-kit run``: evaluate a model on a dataset as a Hydra config describes."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from reward_kit.cli._help import RawDescriptionDefaultsHelpFormatter

__all__ = ["register"]

_EPILOG = """\
Further arguments go to Hydra: overrides such as generation.model_name=NAME or
evaluation_params.limit_samples=10 (a key the schema does not have is an error, with or
without '+'), hydra.run.dir=DIR (an earlier run directory resumes that run), --multirun with
comma-separated values to sweep, --cfg job to print the composed config.

Exit codes: 0 every row scored; 1 the run could not start or stopped (one-line error; the run
directory is kept, marked FAILED, only when it holds results); 2 wrong command-line usage;
3 the run finished but some rows could not be generated or scored (see --allow-errors).

Config keys (defaults in brackets; every key is described by 'reward-kit docs configuration';
'reward-kit run ... --cfg job' shows the composed config):
"""


def _config_keys() -> str:
    """One line per config key with its default, from the schema itself."""
    import dataclasses

    from reward_kit.pipeline.config import RunConfig

    lines: list[str] = []

    def walk(instance: Any, prefix: str) -> None:
        for field in dataclasses.fields(instance):
            if field.name.startswith("_"):
                continue
            value = getattr(instance, field.name)
            if dataclasses.is_dataclass(value):
                walk(value, f"{prefix}{field.name}.")
            else:
                shown = getattr(value, "value", value)
                lines.append(f"  {prefix}{field.name} [{shown}]")

    walk(RunConfig(), "")
    return "\n".join(lines)


def register(subparsers: Any) -> None:
    """Add the ``run`` subcommand."""
    parser = subparsers.add_parser(
        "run",
        help="generate and score responses for a dataset (Hydra config)",
        description=(
            "Load a dataset, generate responses with an OpenAI-compatible API (optional), "
            "score them with reward functions, and write results.jsonl (sorted by dataset "
            "order when the run ends; see output.sort), preview_input_output_pairs.jsonl and "
            "summary.json into the run directory. A row that could not be scored has "
            '"score": null, never 0.'
        ),
        epilog=_EPILOG + _config_keys(),
        formatter_class=RawDescriptionDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--config-path",
        "-cp",
        required=True,
        metavar="DIR",
        help="folder holding the run config (and any main.py it names)",
    )
    parser.add_argument(
        "--config-name",
        "-cn",
        required=True,
        metavar="NAME",
        help="config file name, .yaml optional",
    )
    parser.add_argument(
        "--allow-errors",
        action="store_true",
        help="exit 0 even when some rows could not be generated or scored (default: exit 3)",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        help="show the full traceback of an error (as HYDRA_FULL_ERROR=1 does)",
    )
    parser.set_defaults(handler=_handle, accepts_extra_args=True)


def _handle(args: argparse.Namespace) -> int:
    from reward_kit.pipeline._hydra import run_with_hydra

    return run_with_hydra(
        args.config_path,
        args.config_name,
        list(args.extra_args),
        allow_errors=args.allow_errors,
        debug=args.debug,
        after_run=_write_report,
    )


def _write_report(run_dir: Path) -> None:
    from reward_kit.report._hook import write_report_and_say

    write_report_and_say(run_dir, "run")
