"""``reward-kit preview``: score samples that already have responses with metrics folders.

Samples come from a JSONL file (a run's ``preview_input_output_pairs.jsonl`` included, or the
run directory itself) or from a HuggingFace dataset. Each metrics folder's ``main.py:evaluate``
scores every sample locally through :class:`reward_kit.scoring.Scorer`; ``remote_url`` scores
them with a deployed evaluator over the wire format instead or as well. A failure is kept as a
failure (``is_score_valid=False`` with its error): nothing is shown as a score it did not get.
"""

from __future__ import annotations

import asyncio
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reward_kit._combine import metric_key
from reward_kit._loading import load_metrics_folders
from reward_kit.errors import RewardKitError
from reward_kit.models import EvaluateResult
from reward_kit.pipeline._sources import DatasetError, load_rows
from reward_kit.pipeline.config import DatasetConfig, SourceType
from reward_kit.pipeline.results import result_json
from reward_kit.reward_function import RewardFunction
from reward_kit.scoring import Scorer

__all__ = [
    "HuggingFaceSource",
    "PreviewError",
    "PreviewResult",
    "load_metrics_folders",
    "load_preview_samples",
    "run_preview",
]

_PAIRS_FILE = "preview_input_output_pairs.jsonl"


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


@dataclass
class PreviewResult:
    """The samples and, for each reward, one result per sample (in sample order)."""

    samples: list[dict[str, Any]]
    results: dict[str, list[EvaluateResult]]

    def rows(self) -> list[dict[str, Any]]:
        """One output row per sample: its id, conversation, ground truth and every result."""
        return [
            {
                "id": sample.get("id", index),
                "messages": sample.get("messages"),
                "ground_truth": sample.get("ground_truth"),
                "results": {
                    name: result_json(results[index]) for name, results in self.results.items()
                },
            }
            for index, sample in enumerate(self.samples)
        ]

    def summary(self) -> dict[str, dict[str, Any]]:
        """Per reward and per metric: valid count, mean of valid scores, invalid count."""
        summary: dict[str, dict[str, Any]] = {}
        for name, results in self.results.items():
            summary[name] = _mean_of(
                [result.score for result in results if result.is_score_valid], len(results)
            )
            metric_names = sorted({metric for result in results for metric in result.metrics})
            for metric in metric_names:
                values = [result.metrics[metric] for result in results if metric in result.metrics]
                valid = [value.score for value in values if value.is_score_valid]
                summary[metric_key(name, metric)] = _mean_of(valid, len(values))
        return summary


def _mean_of(scores: list[float], total: int) -> dict[str, Any]:
    mean = math.fsum(scores) / len(scores) if scores else None
    return {"valid": len(scores), "invalid": total - len(scores), "mean": mean}


def _read_jsonl(path: Path, max_samples: int | None) -> list[dict[str, Any]]:
    samples: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if max_samples is not None and len(samples) >= max_samples:
                break
            if not line.strip():
                continue
            try:
                sample = json.loads(line)
            except json.JSONDecodeError as exc:
                raise PreviewError(f"{path}, line {number}: not JSON ({exc.msg})") from None
            if not isinstance(sample, dict):
                raise PreviewError(f"{path}, line {number}: expected a JSON object")
            samples.append(sample)
    if not samples:
        raise PreviewError(f"{path} holds no samples")
    return samples


def _read_huggingface(source: HuggingFaceSource, max_samples: int | None) -> list[dict[str, Any]]:
    config = DatasetConfig(
        source_type=SourceType.huggingface, path_or_name=source.name, split=source.split
    )
    try:
        rows = [row for row in load_rows(config, None, max_samples) if isinstance(row, dict)]
    except DatasetError as exc:
        raise PreviewError(str(exc)) from exc
    if not rows:
        raise PreviewError(f"dataset {source.name!r} (split {source.split!r}) holds no samples")
    columns = sorted(rows[0])
    for key in (source.prompt_key, source.response_key, *source.key_map):
        if key not in rows[0]:
            raise PreviewError(
                f"dataset {source.name!r} has no column {key!r} (columns: {columns})"
            )
    samples = []
    for row in rows:
        sample = {ours: row[theirs] for theirs, ours in source.key_map.items()}
        sample["messages"] = [
            {"role": "user", "content": str(row[source.prompt_key])},
            {"role": "assistant", "content": str(row[source.response_key])},
        ]
        samples.append(sample)
    return samples


def load_preview_samples(
    samples: str | Path | None = None,
    *,
    huggingface: HuggingFaceSource | None = None,
    max_samples: int | None = None,
) -> list[dict[str, Any]]:
    """Samples from a JSONL file, a run directory, or a HuggingFace dataset.

    Raises:
        PreviewError: no source, a missing or empty file, ``max_samples`` below 1, or a line
            that is not a JSON object (with its line number).
    """
    if (samples is None) == (huggingface is None):
        raise PreviewError("give either a samples file or a HuggingFace dataset")
    if max_samples is not None and max_samples < 1:
        raise PreviewError(f"--max-samples must be at least 1, got {max_samples}")
    if huggingface is not None:
        return _read_huggingface(huggingface, max_samples)
    path = Path(str(samples)).expanduser()
    if path.is_dir():
        path = path / _PAIRS_FILE
    if not path.is_file():
        raise PreviewError(f"samples file {path} not found")
    return _read_jsonl(path, max_samples)


def _has_response(sample: dict[str, Any]) -> bool:
    """False when the conversation ends with a turn that is not the assistant's.

    A sample without a conversation is left to the scorer, whose error says what is missing.
    """
    messages = sample.get("messages")
    if not isinstance(messages, list) or not messages:
        return True
    last = messages[-1]
    role = last.get("role") if isinstance(last, dict) else getattr(last, "role", None)
    return role == "assistant"


_NO_RESPONSE = EvaluateResult.invalid(
    "the conversation has no assistant response to score (its last message must be the "
    "assistant's, as in reward-kit run)"
)


async def _score_all(
    samples: list[dict[str, Any]], rewards: dict[str, Any], timeout: float | None
) -> dict[str, list[EvaluateResult]]:
    """Score the samples that have a response; the others are invalid, as ``run`` treats them."""
    names = list(rewards)
    scorable = [index for index, sample in enumerate(samples) if _has_response(sample)]
    scorers = [Scorer(rewards[name], timeout=timeout) for name in names]
    scored = await asyncio.gather(
        *(scorer.score_many([samples[index] for index in scorable]) for scorer in scorers)
    )
    results: dict[str, list[EvaluateResult]] = {}
    for name, values in zip(names, scored, strict=True):
        column = [_NO_RESPONSE] * len(samples)
        for index, value in zip(scorable, values, strict=True):
            column[index] = value
        results[name] = column
    return results


def run_preview(
    samples: list[dict[str, Any]],
    *,
    metrics: dict[str, Any] | None = None,
    remote_url: str | None = None,
    timeout: float | None = 60.0,
) -> PreviewResult:
    """Score ``samples`` with every metric (and the remote evaluator, if given).

    Args:
        samples: Dicts ``{"messages": [...], "ground_truth": ..., **columns}``.
        metrics: Name -> reward function (see :func:`load_metrics_folders`).
        remote_url: URL of a deployed evaluator speaking the wire format; scored as ``remote``.
        timeout: Seconds one sample may take per reward.
    """
    if timeout is not None and not timeout > 0:
        raise PreviewError(f"--timeout must be a positive number of seconds, got {timeout:g}")
    rewards = dict(metrics or {})
    if remote_url:
        try:
            rewards["remote"] = RewardFunction(mode="remote", endpoint=remote_url)
        except ValueError as exc:
            raise PreviewError(f"--remote-url: {exc}") from None
    if not rewards:
        raise PreviewError("nothing to score with: give --metrics-folders or --remote-url")
    return PreviewResult(samples, asyncio.run(_score_all(samples, rewards, timeout)))
