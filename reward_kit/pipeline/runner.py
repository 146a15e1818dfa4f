"""The evaluation pipeline: dataset -> prompts -> generation (+cache) -> scoring -> results.

Samples flow through a fixed set of concurrent workers: each generates a response (the model
client bounds and adapts how many requests are in flight), then scores it at once through
:class:`reward_kit.scoring.Scorer` (worker processes, off the event loop), then appends the
result row. So generation and scoring overlap, and every row is on disk as soon as it is done
(rows that finish in the same turn of the event loop are written together, in one system call).
A run directory is resumable: rows already in its ``results.jsonl`` are not redone.

With a batch-mode reward the unit of work is a group instead of a sample: all variants of
``evaluation_params.batch_prompts`` prompts are generated, scored in one call, and written
together (see ``_groups``).
"""

from __future__ import annotations

import asyncio
import functools
import json
import math
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reward_kit.models import EvaluateResult
from reward_kit.pipeline._groups import Member, plan_groups
from reward_kit.pipeline._progress import RunProgress
from reward_kit.pipeline._rewards import RewardSet
from reward_kit.pipeline._rundir import write_preview_pairs, write_resolved_config
from reward_kit.pipeline.config import RunConfig, validate_config
from reward_kit.pipeline.datasets import LoadedDataset, Sample, load_samples
from reward_kit.pipeline.generation import GenerationAborted, Generator
from reward_kit.pipeline.results import (
    ResultWriter,
    prepare_resume,
    result_row,
    sort_results,
    summary_fields,
)
from reward_kit.pipeline.summary import summarize

__all__ = ["RunResult", "arun_pipeline", "run_pipeline", "score_recorded"]

_SCORING_CONCURRENCY = 64
"""Samples scored at once without generation (the worker pool bounds the real parallelism)."""


@dataclass
class RunResult:
    """What a finished run left behind."""

    run_dir: Path
    summary: dict[str, Any]
    results_path: Path


class _Run:
    """State of one invocation of the pipeline on a run directory."""

    def __init__(
        self, config: RunConfig, run_dir: Path, base_dir: Path | None, progress: str | None
    ) -> None:
        self.config = config
        self.run_dir = run_dir
        self.base_dir = base_dir
        self.progress_mode = progress or config.output.progress
        self.results_path = run_dir / config.output.results_file
        self.generator: Generator | None = None
        self.reward_specs: list[dict[str, Any]] = []
        self.generated_ok = 0
        self.generation_failures = 0
        self.last_generation_error = ""
        self.rows_written = 0
        self.rows: list[dict[str, Any]] = []
        """What the summary needs of every row in the results file (earlier runs' and this
        run's), without the conversations."""

    async def execute(self) -> RunResult:
        started = time.perf_counter()
        config = self.config
        self.run_dir.mkdir(parents=True, exist_ok=True)
        write_resolved_config(
            config, self.run_dir / "config.yaml", resuming=self.results_path.exists()
        )
        rewards = RewardSet(config, self.base_dir)
        self.reward_specs = rewards.specs
        dataset = load_samples(
            config.dataset,
            base_dir=self.base_dir,
            system_prompt=config.system_prompt,
            limit=config.evaluation_params.limit_samples,
            needs_response=not config.generation.enabled,
        )
        variants = config.generation.n if config.generation.enabled else 1
        redo = config.output.redo_generation_errors
        done_rows = prepare_resume(self.results_path, redo_generation_errors=redo)
        self.rows = [summary_fields(row) for row in done_rows]
        done = {(str(row["id"]), int(row["variant"])) for row in self.rows}
        jobs = [
            (sample, variant)
            for sample in dataset.samples
            for variant in range(variants)
            if (sample.id, variant) not in done
        ]
        if config.generation.enabled and jobs:
            self.generator = Generator(config.generation, ray_address=config.scoring.ray_address)
        total = len(dataset.samples) * variants
        progress = RunProgress(total, total - len(jobs), self.progress_mode)
        units: list[Any] = jobs
        process: Callable[[Any], Awaitable[list[dict[str, Any]]]]
        if rewards.batched:
            per_call = config.evaluation_params.batch_prompts
            units = plan_groups(jobs, done_rows, per_call)
            process = functools.partial(self._process_group, rewards=rewards)
            size = per_call * variants
        else:
            process = functools.partial(self._process, rewards=rewards)
            size = 1
        del done_rows  # the conversations are not needed any more
        try:
            with ResultWriter(self.results_path) as writer:
                await self._process_all(iter(units), process, size, writer, progress)
        finally:
            progress.close()
            if self.generator is not None:
                await self.generator.aclose()
        return self._finish(dataset, variants, time.perf_counter() - started)

    async def _process_all(
        self,
        units: Iterator[Any],
        process: Callable[[Any], Awaitable[list[dict[str, Any]]]],
        size: int,
        writer: ResultWriter,
        progress: RunProgress,
    ) -> None:
        """Process units (samples, or groups of about ``size`` samples) by concurrent workers."""
        if self.generator is not None:
            concurrency = 2 * self.config.generation.api_params.max_concurrent_requests
        else:
            concurrency = _SCORING_CONCURRENCY
        concurrency = math.ceil(concurrency / size)

        unwritten: list[dict[str, Any]] = []

        def write_finished() -> None:
            writer.write_many(unwritten)
            unwritten.clear()

        async def work() -> None:
            for unit in units:  # workers share one iterator: each unit runs once
                rows = await process(unit)
                first = not unwritten
                unwritten.extend(rows)
                for row in rows:
                    self.rows.append(summary_fields(row))
                    self.rows_written += 1
                    cached = bool((row.get("generation") or {}).get("cached"))
                    progress.advance(error=not row["is_score_valid"], cached=cached)
                if first:  # the rows finished in this turn of the loop: one write
                    await asyncio.sleep(0)
                    write_finished()

        tasks = [asyncio.create_task(work()) for _ in range(concurrency)]
        try:
            finished, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            for task in finished:
                task.result()  # re-raise the first failure
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            write_finished()

    async def _process(self, job: tuple[Sample, int], rewards: RewardSet) -> list[dict[str, Any]]:
        """Generate and score one variant of a sample; its row."""
        sample, variant = job
        messages, generation = await self._generate(sample, variant)
        result = None
        if _generated(generation):
            result = await rewards.score(_to_score(sample, messages))
        return [_row(sample, variant, messages, result, generation)]

    async def _process_group(
        self, members: list[Member], rewards: RewardSet
    ) -> list[dict[str, Any]]:
        """Generate a group's missing variants, score the group in one call; the new rows."""
        new = [index for index, member in enumerate(members) if member.done_messages is None]
        outputs = await asyncio.gather(
            *(self._generate(members[index].sample, members[index].variant) for index in new)
        )
        generated = dict(zip(new, outputs, strict=True))
        conversations = {
            index: member.done_messages
            for index, member in enumerate(members)
            if member.done_messages is not None
        }
        conversations |= {index: out[0] for index, out in generated.items() if _generated(out[1])}
        results: dict[int, EvaluateResult] = {}
        if any(index in generated for index in conversations):  # something new to score
            order = sorted(conversations)
            group = [_to_score(members[index].sample, conversations[index]) for index in order]
            results = dict(zip(order, await rewards.score_group(group), strict=True))
        rows = []
        for index in new:
            messages, generation = generated[index]
            member, result = members[index], results.get(index)
            rows.append(_row(member.sample, member.variant, messages, result, generation))
        return rows

    async def _generate(
        self, sample: Sample, variant: int
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """The conversation to score and the generation info (``None`` without generation)."""
        if self.generator is None:
            return sample.messages, None
        generated = await self.generator.generate(sample.messages, sample.tools, variant)
        if generated.message is None:
            self._count_generation_failure(str(generated.info["error"]))
            return sample.messages, generated.info
        self.generated_ok += 1
        return [*sample.messages, generated.message], generated.info

    def _count_generation_failure(self, error: str) -> None:
        """Stop the run when the first few generations all fail: the next would fail too."""
        self.generation_failures += 1
        self.last_generation_error = error
        limit = self.config.evaluation_params.fail_fast_samples
        if limit > 0 and self.generated_ok == 0 and self.generation_failures >= limit:
            raise GenerationAborted(
                f"the first {self.generation_failures} generations all failed, so the run "
                f"stopped; last error: {error}"
            )

    def _finish(self, dataset: LoadedDataset, variants: int, wall_time: float) -> RunResult:
        config = self.config
        rows = self.rows
        if config.output.sort:
            sort_results(self.results_path, [sample.id for sample in dataset.samples])
        write_preview_pairs(self.results_path, self.run_dir / config.output.preview_pairs_file)
        this_run: dict[str, Any] = {"rows_written": self.rows_written, "wall_time_s": wall_time}
        if self.generator is not None:
            stats = self.generator.client.stats
            this_run |= {
                "api_requests": stats.requests,
                "api_retries": stats.retries,
                "cache_hits": stats.cache_hits,
                "token_usage": stats.usage.model_dump(),
            }
        summary = summarize(
            rows,
            n=variants,
            pass_threshold=config.evaluation_params.pass_threshold,
            extra={
                "rewards": self.reward_specs,
                "model": config.generation.model_name if config.generation.enabled else None,
                "skipped_rows": [str(bad) for bad in dataset.skipped],
                "this_invocation": this_run,
                "run_dir": str(self.run_dir),
            },
        )
        summary_path = self.run_dir / config.output.summary_file
        summary_path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        return RunResult(self.run_dir, summary, self.results_path)


def _generated(generation: dict[str, Any] | None) -> bool:
    """True when there is a response to score (generated, or in the dataset)."""
    return generation is None or generation["error"] is None


def _to_score(sample: Sample, messages: list[Any]) -> dict[str, Any]:
    """What the rewards get for one conversation: its columns, messages and ground truth."""
    scored: dict[str, Any] = {"messages": messages, "ground_truth": sample.ground_truth}
    if sample.tools is not None:
        scored["tools"] = sample.tools
    return {**sample.extra, **scored}


def _row(
    sample: Sample,
    variant: int,
    messages: list[Any],
    result: EvaluateResult | None,
    generation: dict[str, Any] | None,
) -> dict[str, Any]:
    return result_row(
        sample_id=sample.id,
        variant=variant,
        messages=messages,
        ground_truth=sample.ground_truth,
        result=result,
        generation=generation,
    )


async def score_recorded(samples: Sequence[Sample], rewards: RewardSet) -> list[dict[str, Any]]:
    """The rows of samples that end with their responses, as a run without generation has them.

    Every sample goes to each reward at once (a batch-mode reward gets all in one call): this is
    how ``reward-kit preview`` scores, writing nothing.
    """
    if not samples:
        return []
    results = await rewards.score_group([_to_score(sample, sample.messages) for sample in samples])
    return [
        _row(sample, 0, sample.messages, result, None)
        for sample, result in zip(samples, results, strict=True)
    ]


async def arun_pipeline(
    config: RunConfig | Any,
    run_dir: str | Path,
    *,
    config_dir: str | Path | None = None,
    progress: str | None = None,
) -> RunResult:
    """Run (or resume) an evaluation in ``run_dir``; the async form of :func:`run_pipeline`."""
    run_config = config if isinstance(config, RunConfig) else validate_config(config)
    base_dir = Path(config_dir).resolve() if config_dir is not None else None
    return await _Run(run_config, Path(run_dir), base_dir, progress).execute()


def run_pipeline(
    config: RunConfig | Any,
    run_dir: str | Path,
    *,
    config_dir: str | Path | None = None,
    progress: str | None = None,
) -> RunResult:
    """Run (or resume) an evaluation and write its results into ``run_dir``.

    Args:
        config: A ``RunConfig``, or a dict / OmegaConf config validated against it.
        run_dir: The run directory; rows already in its results file are not redone.
        config_dir: Folder of the config file: relative dataset paths and reward references
            are also looked up there.
        progress: Override of ``output.progress`` (``auto``, ``rich``, ``plain``, ``none``).

    Raises:
        ConfigError: the config is invalid.
        DatasetError: the dataset cannot be loaded, or has a bad row and ``on_bad_row=fail``.
        GenerationAborted: generation cannot work (no key, bad model, unreachable server).
    """
    return asyncio.run(arun_pipeline(config, run_dir, config_dir=config_dir, progress=progress))
