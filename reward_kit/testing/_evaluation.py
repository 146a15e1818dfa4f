"""``@evaluation_test``: a dataset scored by a reward as pytest tests, with a quality gate.

The decorated test becomes one test per dataset row plus ``[aggregate]``. The rows are scored
once, together, through the scoring engine (in parallel, with time limits), the first time any
of those tests runs; responses missing from the dataset are generated through the ``llm``
client with its on-disk cache, so a rerun sends no requests. A row's test fails when its
sample could not be scored, or when the test's own body (given ``row`` and ``result`` if it
asks for them) fails; ``[aggregate]`` fails when a threshold is missed, listing the samples
that did not pass with a snippet of their conversation and the reward's reason.

Datasets, generation and statistics are the ``reward-kit run`` pipeline's, so a dataset that
runs there runs here, and ``mean``/``ci_low`` mean what they mean in ``summary.json``.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from reward_kit.models import EvaluateResult
from reward_kit.pipeline.config import RunConfig, validate_config
from reward_kit.pipeline.datasets import Sample, load_samples
from reward_kit.pipeline.generation import Generator
from reward_kit.pipeline.summary import score_statistics
from reward_kit.scoring import Scorer
from reward_kit.testing._report import failure_report, snippet
from reward_kit.testing._thresholds import Threshold, parse_threshold

__all__ = ["evaluation_test"]

_AGGREGATE = "aggregate"
_ROW_ARGUMENTS = ("row", "result")


class _Evaluation:
    """One decorated test's dataset, its scoring (done once) and its quality gate."""

    def __init__(
        self, config: RunConfig, base_dir: Path, reward: Callable[..., Any], options: dict[str, Any]
    ) -> None:
        self.config = config
        self.reward = reward
        self.options = options
        self.samples: list[Sample] = load_samples(
            config.dataset,
            base_dir=base_dir,
            system_prompt=config.system_prompt,
            limit=config.evaluation_params.limit_samples,
            needs_response=not config.generation.enabled,
        ).samples
        self._lock = threading.Lock()
        self._scored: tuple[list[dict[str, Any]], list[EvaluateResult]] | None = None

    def scored(self) -> tuple[list[dict[str, Any]], list[EvaluateResult]]:
        """Every row (with its full conversation) and its result, computed on first use."""
        with self._lock:
            if self._scored is None:
                self._scored = asyncio.run(self._score())
            return self._scored

    async def _score(self) -> tuple[list[dict[str, Any]], list[EvaluateResult]]:
        generator = Generator(self.config.generation) if self.config.generation.enabled else None
        try:
            generated = await asyncio.gather(
                *(self._conversation(generator, sample) for sample in self.samples)
            )
        finally:
            if generator is not None:
                await generator.aclose()
        pairs = zip(self.samples, generated, strict=True)
        rows = [_row(sample, messages) for sample, (messages, _) in pairs]
        scorer = Scorer(self.reward, **self.options)
        results = await scorer.score_many(rows)
        for index, (_, error) in enumerate(generated):
            if error is not None:
                results[index] = EvaluateResult.invalid(f"generation failed: {error}")
        return rows, results

    @staticmethod
    async def _conversation(
        generator: Generator | None, sample: Sample
    ) -> tuple[list[dict[str, Any]], str | None]:
        if generator is None:
            return sample.messages, None
        generated = await generator.generate(sample.messages, sample.tools, 0)
        if generated.message is None:
            return sample.messages, str(generated.info.get("error"))
        return [*sample.messages, generated.message], None

    def statistics(self, results: list[EvaluateResult]) -> dict[str, float | None]:
        """What thresholds can name (see ``_thresholds``)."""
        valid = [result.score for result in results if result.is_score_valid]
        summary = score_statistics(valid)
        interval = summary["ci95"] or [None, None]
        passing = sum(score >= self.config.evaluation_params.pass_threshold for score in valid)
        statistics: dict[str, float | None] = {
            "mean": summary["mean"],
            "ci_low": interval[0],
            "ci_high": interval[1],
            "pass_rate": passing / len(results) if results else None,
            "min": min(valid, default=None),
            "max": max(valid, default=None),
            "invalid": float(len(results) - len(valid)),
            "count": float(len(results)),
        }
        metrics: dict[str, list[float]] = {}
        for result in results:
            for name, metric in result.metrics.items():
                if result.is_score_valid and metric.is_score_valid:
                    metrics.setdefault(name, []).append(metric.score)
        for name, scores in metrics.items():
            statistics[f"metrics.{name}"] = sum(scores) / len(scores)
            statistics.setdefault(name, sum(scores) / len(scores))
        return statistics


def _row(sample: Sample, messages: list[dict[str, Any]]) -> dict[str, Any]:
    """What the reward gets for one sample: its columns, conversation and ground truth."""
    row: dict[str, Any] = {**sample.extra, "messages": messages}
    row["ground_truth"] = sample.ground_truth
    if sample.tools is not None:
        row["tools"] = sample.tools
    return row


def _run_config(
    dataset: str | Path,
    model: str | None,
    limit: int | None,
    pass_threshold: float,
    dataset_options: Mapping[str, Any] | None,
    generation: Mapping[str, Any] | None,
) -> RunConfig:
    """The run config of the pipeline parts used here, checked like ``reward-kit run``'s."""
    suffix = Path(str(dataset)).suffix.lstrip(".")
    source = {"jsonl": "jsonl", "json": "json", "csv": "csv", "parquet": "parquet"}.get(suffix)
    return validate_config(
        {
            "dataset": {
                "path_or_name": str(dataset),
                "source_type": source or "huggingface",
                **(dataset_options or {}),
            },
            "generation": {"enabled": model is not None, "model_name": model, **(generation or {})},
            "reward": {"function_path": "(given to evaluation_test)"},
            "evaluation_params": {"limit_samples": limit, "pass_threshold": pass_threshold},
        }
    )


def evaluation_test(
    dataset: str | Path,
    reward: Callable[..., Any],
    threshold: str | Sequence[str] = (),
    *,
    pass_threshold: float = 1.0,
    max_invalid: int = 0,
    limit: int | None = None,
    model: str | None = None,
    generation: Mapping[str, Any] | None = None,
    dataset_options: Mapping[str, Any] | None = None,
    timeout: float | None = 60.0,
    workers: int | None = None,
    executor: str = "processes",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Turn a test into a quality gate: a reward scored over a dataset, checked by thresholds.

    Args:
        dataset: A JSONL/JSON/CSV/Parquet file (relative to the test file) or a Hugging Face
            dataset name; rows as for ``reward-kit run`` (``messages`` or ``user_query``,
            ``ground_truth``, extra columns passed to the reward).
        reward: The reward function (any form ``score_batch`` accepts).
        threshold: One or more gates such as ``"mean >= 0.8"``, ``"ci_low >= 0.6"``,
            ``"pass_rate >= 0.9"`` or ``"<metric> >= 0.5"`` (see ``_thresholds``).
        pass_threshold: A sample passes (``pass_rate``, the failures listed) at this score.
        max_invalid: Samples that may fail to be scored; past it the gate fails. Within it,
            their rows' tests are reported as xfail rather than failed.
        limit: Only the first N rows.
        model: Generate each row's response with this model (the ``llm`` client, cached on
            disk), instead of scoring the response already in the dataset.
        generation: Other ``generation.*`` keys of ``reward-kit run`` (``api_base``,
            ``api_key_env``, ``temperature``, ``cache``...).
        dataset_options: Other ``dataset.*`` keys (``column_mapping``, ``split``...).
        timeout: Seconds one sample's scoring may take.
        workers: Worker processes for sync rewards (default: all CPUs; 0: this process).
        executor: ``"processes"`` or ``"ray"``.

    The test function may take ``row`` (the sample: ``messages``, ``ground_truth``, columns)
    and ``result`` (its ``EvaluateResult``) besides any fixtures; its body runs once per row.
    """
    texts = [threshold] if isinstance(threshold, str) else list(threshold)
    gates = [parse_threshold(text) for text in texts]
    gates.append(Threshold("invalid", "<=", float(max_invalid)))
    config = _run_config(dataset, model, limit, pass_threshold, dataset_options, generation)
    options = {"timeout": timeout, "workers": workers, "executor": executor}

    def decorate(test: Callable[..., Any]) -> Callable[..., Any]:
        evaluation = _Evaluation(config, Path(inspect.getfile(test)).parent, reward, options)
        signature = inspect.signature(test)
        wanted = [name for name in _ROW_ARGUMENTS if name in signature.parameters]
        fixtures = [p for p in signature.parameters.values() if p.name not in _ROW_ARGUMENTS]

        @functools.wraps(test)
        def run(reward_kit_case: int | str, **kwargs: Any) -> None:
            rows, results = evaluation.scored()
            if reward_kit_case == _AGGREGATE:
                statistics = evaluation.statistics(results)
                checks = [gate.check(statistics) for gate in gates]
                if not all(passed for passed, _ in checks):
                    source = f"{len(rows)} samples of {dataset}"
                    ids = [sample.id for sample in evaluation.samples]
                    report = failure_report(checks, ids, rows, results, pass_threshold, source)
                    pytest.fail(report, pytrace=False)
                return
            index = int(reward_kit_case)
            result = results[index]
            if not result.is_score_valid:
                message = f"could not be scored: {result.error}\n  {snippet(rows[index])}"
                if max_invalid > 0:
                    pytest.xfail(message)
                pytest.fail(message, pytrace=False)
            given = {"row": rows[index], "result": result}
            test(**kwargs, **{name: given[name] for name in wanted})

        parameter = inspect.Parameter("reward_kit_case", inspect.Parameter.POSITIONAL_OR_KEYWORD)
        run.__signature__ = signature.replace(parameters=[parameter, *fixtures])  # type: ignore[attr-defined]
        del run.__wrapped__  # pytest must see the signature above, not the test's
        cases: list[int | str] = [*range(len(evaluation.samples)), _AGGREGATE]
        ids = [sample.id for sample in evaluation.samples] + [_AGGREGATE]
        parametrized: Callable[..., Any] = pytest.mark.parametrize(
            "reward_kit_case", cases, ids=ids
        )(run)
        return parametrized

    return decorate
