"""AgentEvalRunner: rows x rollouts, each on a fork of its task's seeded base, then scored.

Rollouts of all tasks run concurrently under one semaphore (``max_concurrency``); each works on
its own copy of the task's base database, so none sees another's writes. A finished rollout's
``end_goal_sql`` runs read-only on its final database, then the reward runs in the scoring
engine's killable worker with ``reward_timeout``, and the row is written at once.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from reward_kit.agent._reward import BundleReward
from reward_kit.agent.bundle import TaskBundle, TaskRow
from reward_kit.agent.config import AgentEvalConfig
from reward_kit.agent.outputs import (
    agent_summary,
    by_task,
    resume_rows,
    safe_name,
    write_json,
    write_trajectories,
)
from reward_kit.agent.policy import MockPolicy, ModelPolicy, Policy
from reward_kit.agent.resources import DictStateResource, ReadOnlyDB, SQLiteResource, seed_database
from reward_kit.agent.rollout import Limits, Trajectory, run_rollout
from reward_kit.agent.tools import Tool
from reward_kit.agent.user import SimulatedUser, UserSide
from reward_kit.errors import RewardKitError
from reward_kit.llm import ChatClient
from reward_kit.models import EvaluateResult
from reward_kit.pipeline.results import ResultWriter, result_row
from reward_kit.scoring import Scorer

__all__ = ["AgentEvalRunner", "RunOutcome", "select_rows"]


@dataclass
class RunOutcome:
    """What a run produced: its folder, rows and summary."""

    run_dir: Path
    rows: list[dict[str, Any]]
    summary: dict[str, Any]
    task_lines: list[str] = field(default_factory=list)

    @property
    def all_scored(self) -> bool:
        """True when every rollout got a valid score."""
        return all(row.get("is_score_valid") for row in self.rows)


def select_rows(
    rows: list[TaskRow], task_ids: list[str] | None, max_tasks: int | None
) -> list[TaskRow]:
    """``--task-ids`` then ``--max-tasks``; an unknown id is a ``RewardKitError``."""
    if task_ids:
        known = {row.id for row in rows}
        unknown = [task for task in task_ids if task not in known]
        if unknown:
            raise RewardKitError(f"unknown task ids: {', '.join(unknown)}")
        rows = [row for row in rows if row.id in set(task_ids)]
    return rows if max_tasks is None else rows[:max_tasks]


@dataclass
class _Task:
    """A row prepared for its rollouts: tools, base state and where its databases go."""

    row: TaskRow
    tools: dict[str, Tool] | None
    base: SQLiteResource | DictStateResource | None
    folder: Path
    error: str | None = None


def _timestamped(root: Path) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S_%fZ")
    return root / stamp


class AgentEvalRunner:
    """Runs a bundle's selected rows and writes the run folder.

    Args:
        bundle: The loaded bundle.
        config: The run's settings.
        clients: Chat clients by base URL and key variable (built by the CLI; none in test mode).
    """

    def __init__(
        self,
        bundle: TaskBundle,
        config: AgentEvalConfig,
        *,
        agent: tuple[ChatClient, str] | None = None,
        sim: tuple[ChatClient, str] | None = None,
    ) -> None:
        if config.test_mode and (agent is not None or sim is not None):
            raise RewardKitError("test mode runs without model clients")
        if not config.test_mode and agent is None:
            raise RewardKitError("no agent model: set MODEL_AGENT or pass --model")
        self.bundle = bundle
        self.config = config
        self.agent = agent
        self.sim = sim
        self.run_dir = config.run_dir or _timestamped(config.output_dir)
        self.limits = Limits(config.max_steps, config.max_user_turns, config.tool_timeout)
        self._variant = config.model or ("mock" if config.mock_response else "test")

    async def run(self) -> RunOutcome:
        """Run every selected row's rollouts; returns the rows and the summary."""
        rows = select_rows(self.bundle.rows, self.config.task_ids, self.config.max_tasks)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        write_json(self.run_dir / "config.json", self.config.to_json())
        results_path = self.run_dir / "results.jsonl"
        kept = resume_rows(results_path)
        done = {(str(r["id"]), int(r["rollout_index"])) for r in kept}
        scorer = Scorer(
            BundleReward(self.bundle.folder, self.bundle.reward_reference),
            timeout=self.config.reward_timeout,
            workers=self.config.reward_workers,
        )
        semaphore = asyncio.Semaphore(self.config.max_concurrency)
        written: list[dict[str, Any]] = list(kept)
        with ResultWriter(results_path) as writer:
            jobs = []
            for row in rows:
                task = self._prepare(row)
                for index in range(self._rollouts(row)):
                    if (row.id, index) not in done:
                        jobs.append(self._bounded(semaphore, task, index, scorer, writer, written))
            await asyncio.gather(*jobs)
        selected = {row.id for row in rows}
        final = [row for row in written if row["id"] in selected]
        groups = by_task(final)
        lines = []
        for row in rows:
            group = groups.get(row.id, [])
            write_trajectories(self.run_dir / "trajectories", row.id, group)
            lines.append(_task_line(row.id, group))
        summary = agent_summary(final, {"mode": self._mode, "agent_model": self.config.model})
        write_json(self.run_dir / "summary.json", summary)
        return RunOutcome(self.run_dir, final, summary, lines)

    @property
    def _mode(self) -> str:
        return "test" if self.config.test_mode else "eval"

    def _rollouts(self, row: TaskRow) -> int:
        return self.config.num_rollouts or row.n_rollouts

    def _prepare(self, row: TaskRow) -> _Task:
        """Resolve a row's tools and seed its base state once (errors become its rows' errors)."""
        folder = self.run_dir / "dbs" / safe_name(row.id)
        try:
            tools = self.bundle.tools(row)
            if row.initial_state is not None:
                return _Task(row, tools, DictStateResource(row.initial_state), folder)
            seed = self.bundle.seed_sql(row)
            base = folder / "base.sqlite"
            seed_database(base, seed)
            return _Task(row, tools, SQLiteResource(base), folder)
        except (RewardKitError, sqlite3.Error) as exc:
            return _Task(row, None, None, folder, error=f"task setup failed: {exc}")

    async def _bounded(
        self,
        semaphore: asyncio.Semaphore,
        task: _Task,
        index: int,
        scorer: Scorer,
        writer: ResultWriter,
        written: list[dict[str, Any]],
    ) -> None:
        row = await self._rollout(task, index, scorer, semaphore)
        writer.write(row)
        written.append(row)

    async def _rollout(
        self, task: _Task, index: int, scorer: Scorer, semaphore: asyncio.Semaphore
    ) -> dict[str, Any]:
        """One rollout of a task, end goal checked and scored, as a result row.

        Only the conversation holds a ``--max-concurrency`` slot: scoring runs in the scoring
        engine's own workers, so the next rollout starts while this one is scored.
        """
        row = task.row
        if task.error is not None or task.tools is None or task.base is None:
            trajectory = Trajectory(
                list(row.initial_messages), stop_reason="error", error=task.error
            )
            return self._row(task, index, trajectory, None, None, {})
        fork = task.base.fork(task.folder / f"rollout_{index}.sqlite")
        try:
            if self.config.test_mode and not self.config.mock_response:
                trajectory = Trajectory(list(row.initial_messages), stop_reason="test_mode")
            else:
                async with semaphore:
                    trajectory = await run_rollout(
                        row.initial_messages,
                        policy=self._policy(row, index, task.tools),
                        user=self._user(row, index),
                        tools=task.tools,
                        resource=fork,
                        limits=self.limits,
                    )
        finally:
            fork.close()
        db = ReadOnlyDB(fork.path) if isinstance(fork, SQLiteResource) else None
        achieved, end_goal = _end_goal(db, row.end_goal_sql)
        if trajectory.error is not None:
            return self._row(task, index, trajectory, None, achieved, end_goal, fork.snapshot())
        kwargs = {
            **row.extra,
            "messages": trajectory.messages,
            "ground_truth": row.ground_truth,
            "db": db,
            "end_goal_sql": row.end_goal_sql,
            "task_achieved": achieved,
            "state": {"resource": fork.snapshot(), "tool_calls": _plain(trajectory.tool_calls)},
            "task_id": row.id,
            "rollout_index": index,
        }
        result = await scorer.score(kwargs)
        return self._row(task, index, trajectory, result, achieved, end_goal, fork.snapshot())

    def _policy(self, row: TaskRow, index: int, tools: dict[str, Tool]) -> Policy:
        if self.config.mock_response:
            return MockPolicy(row.mock_responses, tools, row.id)
        assert self.agent is not None  # checked in __init__
        client, model = self.agent
        return ModelPolicy(client, model, self.config.temperature, salt=f"{row.id}:{index}")

    def _user(self, row: TaskRow, index: int) -> UserSide:
        simulated = None
        if self.sim is not None and self.config.sim_user and row.sim_user_prompt:
            client, model = self.sim
            simulated = SimulatedUser(client, model, row.sim_user_prompt, salt=f"{row.id}:{index}")
        return UserSide(list(row.user_turns), simulated)

    def _row(
        self,
        task: _Task,
        index: int,
        trajectory: Trajectory,
        result: EvaluateResult | None,
        achieved: bool | None,
        end_goal: dict[str, Any],
        final_state: Any = None,
    ) -> dict[str, Any]:
        generation = _generation(trajectory, self.config)
        row = result_row(
            sample_id=task.row.id,
            variant=index,
            messages=trajectory.messages,
            ground_truth=task.row.ground_truth,
            result=result,
            generation=generation,
        )
        if result is None and trajectory.error is not None:
            row["error"] = trajectory.error
        sim_model = self.sim[1] if self.sim is not None and task.row.sim_user_prompt else None
        row.update(
            variant=self._variant,
            rollout_index=index,
            task_achieved=achieved,
            end_goal_result=end_goal,
            stop_reason=trajectory.stop_reason,
            agent_steps=trajectory.agent_steps,
            user_turns=trajectory.user_turns,
            sim_user_model=sim_model if self.config.sim_user else None,
            final_state=final_state,
            mode=self._mode,
            tool_calls=_plain(trajectory.tool_calls),
        )
        return row


def _plain(value: Any) -> Any:
    """``value`` as plain JSON data (tool results JSON cannot hold become their ``str``)."""
    return json.loads(json.dumps(value, default=str))


def _end_goal(db: ReadOnlyDB | None, sql: str | None) -> tuple[bool | None, dict[str, Any]]:
    """``(task_achieved, end_goal_result)``: a truthy first cell achieves the task."""
    if not sql:
        return None, {}
    if db is None:
        return None, {"error": "end_goal_sql needs a database, and this task has none"}
    try:
        value = db.fetch_val(sql)
    except sqlite3.Error as exc:
        return None, {"error": f"end_goal_sql failed: {exc}"}
    finally:
        db.close()
    return bool(value), {"value": value}


def _generation(trajectory: Trajectory, config: AgentEvalConfig) -> dict[str, Any]:
    usage = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
    for made in trajectory.generations:
        for key in usage:
            usage[key] += int((made.get("usage") or {}).get(key) or 0)
    generation: dict[str, Any] = {
        "model": config.model,
        "params": {"temperature": config.temperature},
        "usage": usage,
        "latency_s": sum(g.get("latency_s") or 0.0 for g in trajectory.generations),
        "cached": bool(trajectory.generations)
        and all(g.get("cached") for g in trajectory.generations),
        "requests": len(trajectory.generations),
    }
    if trajectory.error is not None:
        generation["error"] = trajectory.error
    return generation


def _task_line(task_id: str, rows: list[dict[str, Any]]) -> str:
    scores = [float(row["score"]) for row in rows if row.get("is_score_valid")]
    mean = f"{sum(scores) / len(scores):.3f}" if scores else "n/a"
    achieved = sum(1 for row in rows if row.get("task_achieved"))
    errors = sum(1 for row in rows if not row.get("is_score_valid"))
    return (
        f"{task_id}: {len(rows)} rollout(s), mean score {mean}, "
        f"achieved {achieved}/{len(rows)}, errors {errors}"
    )
