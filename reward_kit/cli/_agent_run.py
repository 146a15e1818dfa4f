"""The work of ``reward-kit agent-eval`` once its flags are checked: validate, export or run."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from reward_kit.agent._providers import resolve_endpoint
from reward_kit.agent.bundle import TaskBundle
from reward_kit.agent.config import AgentEvalConfig
from reward_kit.agent.export import write_export
from reward_kit.agent.runner import AgentEvalRunner, RunOutcome, select_rows
from reward_kit.agent.validate import validate_bundle
from reward_kit.llm import ChatClient, ResponseCache

__all__ = ["run_command"]


def _load(args: argparse.Namespace, registries: dict[str, str]) -> TaskBundle:
    return TaskBundle.load(
        args.task_dir,
        args.dataset,
        registries=registries,
        registry_override=args.registry_override,
        evaluator=args.evaluator,
    )


def run_command(args: argparse.Namespace, registries: dict[str, str], model: str | None) -> int:
    """Validate, export or run, as the flags ask; returns the exit code."""
    bundle = _load(args, registries)
    errors, warnings = validate_bundle(bundle)
    for problem in warnings:
        print(f"warning: {problem}")
    if args.validate_only or errors:
        for problem in errors:  # --validate-only reports on stdout; a run that cannot start: stderr
            print(problem, file=sys.stdout if args.validate_only else sys.stderr)
        if args.validate_only and not errors:
            print(f"Bundle {bundle.folder} is valid: {len(bundle.rows)} task(s)")
        if errors and not args.validate_only:
            print(
                f"reward-kit agent-eval: error: the task bundle has {len(errors)} problem(s), "
                "listed above; nothing was run",
                file=sys.stderr,
            )
        return 1 if errors else 0
    task_ids = [t.strip() for t in args.task_ids.split(",") if t.strip()] if args.task_ids else None
    if args.export_tools:
        rows = select_rows(bundle.rows, task_ids, args.max_tasks)
        for row in rows:
            print(write_export(Path(args.export_tools), row.id, bundle.tools(row)))
        return 0
    config = AgentEvalConfig(
        output_dir=Path(args.output_dir),
        run_dir=Path(args.run_dir) if args.run_dir else None,
        model=None if args.test_mode else model,
        sim_model=None if args.test_mode else _sim_model(args, model),
        sim_user=not args.no_sim_user and not args.test_mode,
        test_mode=args.test_mode,
        mock_response=args.mock_response,
        debug=args.debug,
        task_ids=task_ids,
        max_tasks=args.max_tasks,
        num_rollouts=args.num_rollouts,
        max_concurrency=args.max_concurrency,
        max_steps=args.max_steps,
        max_user_turns=args.max_user_turns,
        api_base=args.api_base,
        temperature=args.temperature,
        tool_timeout=args.tool_timeout,
        reward_timeout=args.reward_timeout,
        extra={"task_dir": args.task_dir, "dataset": args.dataset, "registries": registries,
               "registry_override": args.registry_override, "evaluator": args.evaluator},
    )  # fmt: skip
    outcome = asyncio.run(_run(bundle, config))
    for line in outcome.task_lines:
        print(line)
    succeeded = sum(1 for line in outcome.task_lines if line.endswith("errors 0"))
    failed = len(outcome.task_lines) - succeeded
    print(f"Evaluation complete: {succeeded} tasks succeeded, {failed} failed")
    print(f"Results: {outcome.run_dir}")
    from reward_kit.report._hook import write_report_and_say

    write_report_and_say(Path(outcome.run_dir), "agent-eval")
    return 0 if outcome.all_scored else 1


def _sim_model(args: argparse.Namespace, model: str | None) -> str | None:
    """``--sim-model``, else ``MODEL_SIM``, else the agent's model."""
    return str(args.sim_model or os.environ.get("MODEL_SIM") or model or "") or None


async def _run(bundle: TaskBundle, config: AgentEvalConfig) -> RunOutcome:
    """Build the clients (one per server), run, and close them."""
    clients: dict[tuple[str, str | None], ChatClient] = {}
    cache = None if config.test_mode else ResponseCache(config.output_dir / "llm_cache.sqlite")

    def client_for(spec: str) -> tuple[ChatClient, str]:
        endpoint = resolve_endpoint(spec, config.api_base)
        key = (endpoint.base_url, endpoint.key_env)
        if key not in clients:
            clients[key] = ChatClient(
                base_url=endpoint.base_url,
                api_key_env=endpoint.key_env,
                cache=cache,
                max_concurrent_requests=max(config.max_concurrency, 1) * 2,
            )
        return clients[key], endpoint.model

    agent = client_for(config.model) if config.model else None
    sim = client_for(config.sim_model) if config.sim_model and config.sim_user else None
    runner = AgentEvalRunner(bundle, config, agent=agent, sim=sim)
    handler = _debug_log(runner.run_dir) if config.debug else None
    try:
        return await runner.run()
    finally:
        for client in clients.values():
            await client.aclose()
        if cache is not None:
            cache.close()
        if handler is not None:
            logging.getLogger("reward_kit").removeHandler(handler)
            handler.close()


def _debug_log(run_dir: Path) -> logging.Handler:
    """Send reward-kit's DEBUG log (model requests, tool calls) to ``RUN/debug.log``."""
    run_dir.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(run_dir / "debug.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    handler.setLevel(logging.DEBUG)
    logger = logging.getLogger("reward_kit")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    return handler
