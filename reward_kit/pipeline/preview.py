"""``reward-kit preview``: ``reward-kit run`` with generation off, on samples that have responses.

Preview is the pipeline with another source and nothing generated: samples (a JSONL file, a run
directory's ``preview_input_output_pairs.jsonl``, or a HuggingFace dataset whose prompt,
response and other columns become the dataset's column mapping) are read by the pipeline's
dataset loader; the rewards (metrics folders, references, a deployed evaluator) are a
:class:`~reward_kit.pipeline._rewards.RewardSet`, several combined by the one rule; each sample
gives a ``results.jsonl`` row and the summary is ``summary.json``'s.

Two things differ from ``run``: nothing is written unless asked, and a row that cannot become a
sample (its conversation does not end with the assistant's response, say) is kept as a row
that could not be scored, with the pipeline's reason, instead of stopping or being skipped. A
row that cannot be read at all (not JSON, a mapped column missing) stops preview.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from reward_kit._loading import load_metrics_folders, module_reference
from reward_kit.errors import DuplicateRewardNameError, RewardKitError
from reward_kit.models import EvaluateResult, MetricResult
from reward_kit.pipeline._rewards import RewardSet
from reward_kit.pipeline._sources import DatasetError
from reward_kit.pipeline.config import (
    DatasetConfig,
    EvaluationParamsConfig,
    GenerationConfig,
    RewardSpec,
    RunConfig,
    SourceType,
)
from reward_kit.pipeline.datasets import BadRow, Sample, read_samples
from reward_kit.pipeline.results import result_row
from reward_kit.pipeline.runner import score_recorded
from reward_kit.pipeline.summary import summarize
from reward_kit.reward_function import RewardFunction

__all__ = [
    "HuggingFaceSource",
    "PreviewError",
    "PreviewResult",
    "load_metrics_folders",
    "load_preview_samples",
    "run_preview",
]

_PAIRS_FILE = "preview_input_output_pairs.jsonl"
_REMOTE = "remote"


class PreviewError(RewardKitError, ValueError):
    """The samples or metrics folders given to preview cannot be used."""


@dataclass
class HuggingFaceSource:
    """Samples from a HuggingFace dataset: a prompt column and a response column."""

    name: str
    split: str = "train"
    prompt_key: str = "prompt"
    response_key: str = "response"
    key_map: dict[str, str] = field(default_factory=dict)
    """Dataset column -> sample key (``{"answer": "ground_truth"}``)."""

    def dataset_config(self) -> DatasetConfig:
        """The pipeline's dataset: these columns as its ``column_mapping`` (ours: theirs)."""
        mapping: dict[str, str | None] = {"user_query": self.prompt_key}
        mapping["response"] = self.response_key
        mapping |= {ours: theirs for theirs, ours in self.key_map.items()}
        return DatasetConfig(
            source_type=SourceType.huggingface,
            path_or_name=self.name,
            split=self.split,
            column_mapping=mapping,
        )


def _result(data: Mapping[str, Any]) -> EvaluateResult:
    """A result from its JSON in a row (``"score": null`` reads as 0, not valid)."""
    valid = bool(data.get("is_score_valid"))
    return EvaluateResult(
        score=data.get("score") or 0.0,
        reason=data.get("reason"),
        is_score_valid=valid,
        error=None if valid else data.get("error") or data.get("reason"),
        metrics={
            name: MetricResult(**{**metric, "score": metric.get("score") or 0.0})
            for name, metric in (data.get("metrics") or {}).items()
        },
    )


@dataclass
class PreviewResult:
    """What preview found: one ``results.jsonl`` row per sample, in sample order."""

    rows: list[dict[str, Any]]
    rewards: list[dict[str, Any]]
    """Each reward's name, reference, parameters and weight, as ``summary.json`` records them."""

    @property
    def names(self) -> list[str]:
        """The rewards' names; with several, each one's score is the row's metric of that name."""
        return [str(reward["name"]) for reward in self.rewards]

    def summary(self) -> dict[str, Any]:
        """The summary of the rows, as ``reward-kit run`` writes it to ``summary.json``."""
        return summarize(self.rows, extra={"rewards": self.rewards})

    @property
    def results(self) -> dict[str, list[EvaluateResult]]:
        """Each reward's result per sample, read back from the rows (its metrics included)."""
        if len(self.names) == 1:
            return {self.names[0]: [_result(row) for row in self.rows]}
        results: dict[str, list[EvaluateResult]] = {}
        for name in self.names:
            prefix = f"{name}."
            column = []
            for row in self.rows:
                metrics = row.get("metrics") or {}
                part = metrics.get(name)
                if part is None:  # the row could not be scored by any reward
                    column.append(EvaluateResult.invalid(str(row.get("error"))))
                    continue
                own = {
                    key[len(prefix) :]: m for key, m in metrics.items() if key.startswith(prefix)
                }
                column.append(_result({**part, "metrics": own}))
            results[name] = column
        return results


def load_preview_samples(
    samples: str | Path | None = None,
    *,
    huggingface: HuggingFaceSource | None = None,
    max_samples: int | None = None,
) -> list[Sample | BadRow]:
    """Samples from a JSONL file, a run directory or a HuggingFace dataset, read by the pipeline.

    Each row is a :class:`Sample`, or the :class:`BadRow` saying why it cannot be one (preview
    shows it as a row that could not be scored).

    Raises:
        PreviewError: no source or two, a missing or empty file, ``max_samples`` below 1, the
            dataset cannot be loaded, or a row cannot be read (with its file and line, or row
            and column).
    """
    if (samples is None) == (huggingface is None):
        raise PreviewError("give either a samples file or a HuggingFace dataset")
    if max_samples is not None and max_samples < 1:
        raise PreviewError(f"--max-samples must be at least 1, got {max_samples}")
    if huggingface is not None:
        config = huggingface.dataset_config()
        where = f"dataset {huggingface.name!r} (split {huggingface.split!r})"
    else:
        path = Path(str(samples)).expanduser()
        if path.is_dir():
            path = path / _PAIRS_FILE
        if not path.is_file():
            raise PreviewError(f"samples file {path} not found")
        config = DatasetConfig(source_type=SourceType.jsonl, path_or_name=str(path))
        where = str(path)
    try:
        entries = list(read_samples(config, limit=max_samples, needs_response=True))
    except DatasetError as exc:
        raise PreviewError(str(exc)) from exc
    for entry in entries:
        if isinstance(entry, BadRow) and entry.row is None:
            detail = entry.problem if huggingface is None else f"{where}, {entry}"
            raise PreviewError(detail)
    if not entries:
        raise PreviewError(f"{where} holds no samples")
    return entries


def _reference(reward: Any, name: str) -> str:
    """How the summary names where a loaded reward came from (its name, when nothing else)."""
    info = getattr(reward, "__reward_kit__", None)
    if info is not None:
        return str(info.reference)
    qualname = getattr(reward, "__qualname__", None)
    module = getattr(reward, "__module__", None)
    if isinstance(qualname, str) and isinstance(module, str):
        return f"{module_reference(module)}:{qualname}"
    return name


def _reward_set(
    metrics: Mapping[str, Any], remote_url: str | None, timeout: float | None
) -> RewardSet:
    """The rewards as a run's reward set: each named as given, equally weighted."""
    named = [(name, reward, _reference(reward, name)) for name, reward in metrics.items()]
    if remote_url:
        if _REMOTE in metrics:
            raise PreviewError(f"a metric is named {_REMOTE!r}, the name of --remote-url's scores")
        try:
            remote = RewardFunction(mode="remote", endpoint=remote_url)
        except ValueError as exc:
            raise PreviewError(f"--remote-url: {exc}") from None
        named.append((_REMOTE, remote, remote_url))
    if not named:
        raise PreviewError("nothing to score with: give --metrics-folders or --remote-url")
    specs: list[RewardSpec] = []
    loaded: dict[str, Any] = {}
    for name, reward, reference in named:
        if loaded.get(reference, reward) is not reward:  # two closures of one factory
            reference = f"{reference} ({name})"
        loaded[reference] = reward
        specs.append(RewardSpec(function_path=reference, name=name))
    config = RunConfig(
        generation=GenerationConfig(enabled=False),
        rewards=specs,
        evaluation_params=EvaluationParamsConfig(timeout=timeout),
    )
    try:
        return RewardSet(config, None, loaded)
    except DuplicateRewardNameError as exc:
        raise PreviewError(str(exc)) from None


def _unscorable_row(bad: BadRow) -> dict[str, Any]:
    """The row of a sample that cannot be scored: not valid, with the pipeline's reason."""
    assert bad.row is not None and bad.sample_id is not None
    messages = bad.row.get("messages")
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        messages = []
    return result_row(
        sample_id=bad.sample_id,
        variant=0,
        messages=messages,
        ground_truth=bad.row.get("ground_truth"),
        result=EvaluateResult.invalid(str(bad)),
        generation=None,
    )


def run_preview(
    samples: Sequence[Sample | BadRow] | Sequence[dict[str, Any]],
    *,
    metrics: Mapping[str, Any] | None = None,
    remote_url: str | None = None,
    timeout: float | None = 60.0,
) -> PreviewResult:
    """Score ``samples`` with every reward, as ``reward-kit run`` scores them without generation.

    Args:
        samples: From :func:`load_preview_samples`, or dicts ``{"messages": [...],
            "ground_truth": ..., **columns}`` (read by the pipeline's loader here).
        metrics: Name -> reward function (see :func:`load_metrics_folders`).
        remote_url: URL of a deployed evaluator speaking the wire format; scored as ``remote``.
        timeout: Seconds one sample may take per reward.
    """
    if timeout is not None and not timeout > 0:
        raise PreviewError(f"--timeout must be a positive number of seconds, got {timeout:g}")
    rewards = _reward_set(metrics or {}, remote_url, timeout)
    if all(isinstance(entry, (Sample, BadRow)) for entry in samples):
        entries = cast("list[Sample | BadRow]", list(samples))
    else:
        rows = cast("Sequence[dict[str, Any]]", samples)
        entries = list(read_samples(DatasetConfig(), rows=rows, needs_response=True))
    scorable = [entry for entry in entries if isinstance(entry, Sample)]
    scored = iter(asyncio.run(score_recorded(scorable, rewards)))
    results = [next(scored) if isinstance(e, Sample) else _unscorable_row(e) for e in entries]
    return PreviewResult(results, rewards.specs)
