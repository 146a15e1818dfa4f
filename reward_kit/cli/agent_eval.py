"""``reward-kit agent-eval``: run tool-using agents on a task bundle and score the final state."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from reward_kit.cli._flags import non_negative_float, positive_float, positive_int

__all__ = ["register"]

_USAGE_ERROR = 2


def register(subparsers: Any) -> None:
    """Add the ``agent-eval`` subcommand."""
    parser = subparsers.add_parser(
        "agent-eval",
        help="evaluate tool-using agents on a task bundle",
        description=(
            "Run each task of a bundle (tools.py, reward.py, task.jsonl, seed.sql) with an agent "
            "model that calls tools against the task's own database, optionally with a "
            "simulated user, and score every rollout with the bundle's reward. Models come from "
            "MODEL_AGENT / MODEL_SIM (provider/model: openai/, fireworks/, anthropic/) unless "
            "given as flags. Exit 0 when every rollout was scored, 1 on any error, 2 on usage "
            "errors."
        ),
    )
    add = parser.add_argument
    add("--task-dir", "-t", metavar="DIR", help="task bundle directory")
    add("--dataset", "-d", metavar="FILE", help="rows file (default: DIR/task.jsonl)")
    add("--output-dir", "-o", default="runs", metavar="DIR", help="run root folder")
    add("--run-dir", metavar="DIR", help="write into DIR, resuming the rollouts it holds")
    add("--model", metavar="PROVIDER/MODEL", help="agent model (overrides MODEL_AGENT)")
    add("--sim-model", metavar="PROVIDER/MODEL", help="simulated user model (overrides MODEL_SIM)")
    add("--no-sim-user", action="store_true", help="no simulated user: scripted turns only")
    add("--test-mode", action="store_true", help="no keys, no network: check the bundle end to end")
    add(
        "--mock-response", action="store_true", help="play rows' mock_responses (needs --test-mode)"
    )
    add("--debug", action="store_true", help="log requests and tool calls to RUN/debug.log")
    add("--validate-only", action="store_true", help="check the bundle and exit 0 or 1")
    add("--export-tools", metavar="DIR", help="write each row's tool specs to DIR and exit")
    add("--task-ids", metavar="A,B", help="run only these row ids")
    add("--max-tasks", type=positive_int, metavar="N", help="keep the first N rows after filtering")
    add("--registries", metavar="NAME=MOD[,...]", help="toolset aliases used by rows")
    add("--registry-override", metavar="MOD", help="every row uses this tool module")
    add("--evaluator", metavar="REF", help="reward to use: mod.fn, mod:fn or a module's evaluate")
    add(
        "--num-rollouts",
        type=positive_int,
        metavar="N",
        help="rollouts per task (default: n_rollouts)",
    )
    add("--max-concurrency", type=positive_int, default=3, metavar="N", help="rollouts at once")
    add("--max-steps", type=positive_int, default=10, metavar="N", help="agent steps per user turn")
    add("--max-user-turns", type=int, default=5, metavar="N", help="follow-up user turns")
    add("--api-base", metavar="URL", help="OpenAI-compatible server for every model")
    add(
        "--temperature",
        type=non_negative_float,
        default=0.0,
        metavar="T",
        help="sampling temperature",
    )
    add(
        "--tool-timeout",
        type=positive_float,
        default=30.0,
        metavar="S",
        help="seconds per tool call",
    )
    add(
        "--reward-timeout",
        type=positive_float,
        default=60.0,
        metavar="S",
        help="seconds per reward",
    )
    parser.set_defaults(handler=_handle)


def _usage(message: str) -> int:
    print(f"reward-kit agent-eval: error: {message}", file=sys.stderr)
    return _USAGE_ERROR


def _registries(text: str | None) -> dict[str, str] | None:
    aliases: dict[str, str] = {}
    for part in (text or "").split(","):
        if part.strip():
            name, separator, module = part.partition("=")
            if not separator or not name.strip() or not module.strip():
                return None
            aliases[name.strip()] = module.strip()
    return aliases


def _handle(args: argparse.Namespace) -> int:
    if not args.task_dir and not args.dataset:
        return _usage("one of --task-dir or --dataset is required")
    if args.mock_response and not args.test_mode:
        return _usage("--mock-response needs --test-mode")
    for flag, folder in (("--run-dir", args.run_dir), ("--output-dir", args.output_dir)):
        if folder and os.path.exists(folder) and not os.path.isdir(folder):
            return _usage(f"{flag} {folder}: is a file, not a folder")
    registries = _registries(args.registries)
    if registries is None:
        return _usage(f"--registries {args.registries!r}: expected NAME=MODULE[,NAME=MODULE...]")
    for flag in ("max_concurrency", "max_steps", "num_rollouts", "max_tasks"):
        value = getattr(args, flag)
        if value is not None and value < (0 if flag == "max_tasks" else 1):
            return _usage(f"--{flag.replace('_', '-')} must be positive")
    quiet = args.validate_only or args.export_tools
    model = args.model or os.environ.get("MODEL_AGENT")
    if not model and not args.test_mode and not quiet:
        return _usage("MODEL_AGENT environment variable is not set (or pass --model)")
    from reward_kit.cli._agent_run import run_command

    return run_command(args, registries, model)
