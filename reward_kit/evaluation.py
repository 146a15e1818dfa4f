"""Preview and create evaluators by reward-kit's documented names.

``preview_evaluation`` scores a samples file with metrics folders here, through
:func:`reward_kit.pipeline.preview.run_preview` (nothing is uploaded to preview);
``create_evaluation`` deploys them through :func:`reward_kit.deploy.deploy`. ``Evaluator`` is
the object form of both. A sample that could not be scored shows ``success=False`` with its
error: it is never shown as a score of 0.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reward_kit.models import EvaluateResult
from reward_kit.pipeline.preview import (
    HuggingFaceSource,
    PreviewError,
    load_metrics_folders,
    load_preview_samples,
    run_preview,
)

__all__ = [
    "Evaluator",
    "EvaluatorPreviewResult",
    "PreviewError",
    "SamplePreview",
    "create_evaluation",
    "evaluate_dataset",
    "preview_evaluation",
]


@dataclass
class SamplePreview:
    """One sample's preview: ``success`` is False when any metric could not score it."""

    index: int
    success: bool
    score: float | None
    """Mean of the valid metric scores (None when none is valid)."""
    per_metric_evals: dict[str, EvaluateResult]


@dataclass
class EvaluatorPreviewResult:
    """What ``preview_evaluation`` found: one :class:`SamplePreview` per sample."""

    results: list[SamplePreview] = field(default_factory=list)
    total_samples: int = 0
    total_runtime_ms: int = 0

    def display(self) -> None:
        """Print the results, sample by sample, with each metric's score or error."""
        print("Evaluation Preview Results")
        print(f"Total Samples: {self.total_samples}")
        print(f"Total Runtime: {self.total_runtime_ms} ms")
        for sample in self.results:
            score = "-" if sample.score is None else f"{sample.score:g}"
            print(f"\nSample {sample.index + 1}: success={sample.success} score={score}")
            for name, result in sample.per_metric_evals.items():
                shown = f"{result.score:g}" if result.is_score_valid else f"error: {result.error}"
                print(f"  {name}: {shown}")


def _split_specs(metric_folders: list[str] | None, folder: str | Path | None) -> list[str]:
    specs = list(metric_folders or [])
    if folder is not None:
        path = Path(folder).expanduser().resolve()
        specs.append(f"{path.name}={path}")
    if not specs:
        raise PreviewError("give metric_folders=['NAME=PATH', ...] or folder=PATH")
    return specs


def _summarise(results: dict[str, list[EvaluateResult]], count: int) -> list[SamplePreview]:
    previews = []
    for index in range(count):
        per_metric = {name: scored[index] for name, scored in results.items()}
        valid = [r.score for r in per_metric.values() if r.is_score_valid]
        score = math.fsum(valid) / len(valid) if valid else None
        success = len(valid) == len(per_metric)
        previews.append(SamplePreview(index, success, score, per_metric))
    return previews


class Evaluator:
    """Metrics folders to preview with samples, then deploy as one evaluator.

    Args:
        multi_metrics: Accepted for compatibility: every folder is one metric here, and an
            evaluator may hold several.
    """

    def __init__(self, multi_metrics: bool = False) -> None:
        self.multi_metrics = multi_metrics
        self.metric_folders: dict[str, Path] = {}

    def load_metric_folder(self, metric_name: str, folder_path: str | Path) -> None:
        """Add a metrics folder (its ``main.py`` must define ``evaluate``)."""
        path = Path(folder_path).expanduser().resolve()
        load_metrics_folders([f"{metric_name}={path}"])  # fail now on a bad folder
        self.metric_folders[metric_name] = path

    def load_multi_metrics_folder(self, folder_path: str | Path) -> None:
        """Add a folder whose ``main.py`` scores every metric, named after the folder."""
        path = Path(folder_path).expanduser().resolve()
        self.load_metric_folder(path.name, path)

    def _specs(self) -> list[str]:
        if not self.metric_folders:
            raise PreviewError("no metrics folder loaded: call load_metric_folder first")
        return [f"{name}={path}" for name, path in self.metric_folders.items()]

    def preview(
        self,
        sample_file: str | Path | None = None,
        max_samples: int = 5,
        *,
        huggingface: HuggingFaceSource | None = None,
    ) -> EvaluatorPreviewResult:
        """Score up to ``max_samples`` samples with every loaded metric, here."""
        started = time.perf_counter()
        samples = load_preview_samples(
            sample_file, huggingface=huggingface, max_samples=max_samples
        )
        scored = run_preview(samples, metrics=load_metrics_folders(self._specs()))
        elapsed = int((time.perf_counter() - started) * 1000)
        return EvaluatorPreviewResult(
            _summarise(scored.results, len(samples)), len(samples), elapsed
        )

    def create(
        self,
        evaluator_id: str,
        display_name: str | None = None,
        description: str | None = None,
        force: bool = False,
        **options: Any,
    ) -> dict[str, Any]:
        """Deploy the loaded metrics as evaluator ``evaluator_id``; returns the evaluator.

        ``options`` go to :func:`reward_kit.deploy.deploy` (``api_base``, ``target``...).
        """
        from reward_kit.deploy import deploy

        folders = {name: path for name, path in self.metric_folders.items()}
        if not folders:
            raise PreviewError("no metrics folder loaded: call load_metric_folder first")
        result = deploy(
            id=evaluator_id, metrics_folders=folders, display_name=display_name,
            description=description, force=force, **options,
        )  # fmt: skip
        return result.evaluator or {"name": evaluator_id, "evaluate_url": result.evaluate_url}


def _evaluator(
    metric_folders: list[str] | None, folder: str | Path | None, multi_metrics: bool
) -> Evaluator:
    evaluator = Evaluator(multi_metrics=multi_metrics)
    for spec in _split_specs(metric_folders, folder):
        name, separator, path = spec.partition("=")
        if not separator or not name or not path:
            raise PreviewError(f"metric folder {spec!r}: expected NAME=PATH")
        evaluator.load_metric_folder(name, path)
    return evaluator


def preview_evaluation(
    metric_folders: list[str] | None = None,
    sample_file: str | Path | None = None,
    max_samples: int = 5,
    multi_metrics: bool = False,
    folder: str | Path | None = None,
    huggingface_dataset: str | None = None,
    huggingface_split: str = "train",
    huggingface_message_key_map: dict[str, str] | None = None,
    huggingface_response_key: str = "response",
    huggingface_prompt_key: str = "prompt",
) -> EvaluatorPreviewResult:
    """Score samples with metrics folders, here, before deploying them.

    Args:
        metric_folders: ``["NAME=PATH", ...]``; each ``PATH/main.py`` defines ``evaluate``.
        sample_file: JSONL of samples whose ``messages`` end with the response.
        max_samples: Most samples to score.
        multi_metrics: With ``folder``: one folder scoring every metric.
        folder: A single metrics folder, named after itself.
        huggingface_dataset: Score a HuggingFace dataset instead of ``sample_file``.
        huggingface_split: Its split.
        huggingface_message_key_map: Its column -> sample key (``{"answer": "ground_truth"}``).
        huggingface_response_key: Its column holding the response.
        huggingface_prompt_key: Its column holding the prompt.
    """
    evaluator = _evaluator(metric_folders, folder, multi_metrics)
    source = None
    if huggingface_dataset:
        source = HuggingFaceSource(
            huggingface_dataset, huggingface_split, huggingface_prompt_key,
            huggingface_response_key, dict(huggingface_message_key_map or {}),
        )  # fmt: skip
        sample_file = None
    return evaluator.preview(sample_file, max_samples, huggingface=source)


def create_evaluation(
    evaluator_id: str,
    metric_folders: list[str] | None = None,
    multi_metrics: bool = False,
    folder: str | Path | None = None,
    display_name: str | None = None,
    description: str | None = None,
    force: bool = False,
    **options: Any,
) -> dict[str, Any]:
    """Deploy metrics folders as evaluator ``evaluator_id`` (``reward-kit deploy``).

    Returns:
        The evaluator resource as the service returned it (``["name"]`` is its full name).
    """
    evaluator = _evaluator(metric_folders, folder, multi_metrics)
    return evaluator.create(evaluator_id, display_name, description, force, **options)


def evaluate_dataset(
    reward_fn: Any, dataset: str | Path | list[dict[str, Any]], max_samples: int | None = None
) -> list[EvaluateResult]:
    """Score every sample of ``dataset`` (a JSONL path or a list of samples) with ``reward_fn``.

    Samples run in parallel with the usual time limit; one that fails is an invalid result.
    """
    samples = (
        list(dataset)[:max_samples]
        if isinstance(dataset, list)
        else load_preview_samples(dataset, max_samples=max_samples)
    )
    return run_preview(samples, metrics={"reward": reward_fn}).results["reward"]
