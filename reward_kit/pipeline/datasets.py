"""Datasets for evaluation: rows read with HuggingFace ``datasets`` and turned into samples.

A row goes through the column mapping (``ours: source column``), the configured
transformations, and prompt building (system prompt, few-shot examples, a Jinja template over
its columns) to become a :class:`Sample` with a stable id: the id column when there is one,
else a hash of the row's content. A row that cannot become a sample is reported with its row
number and column, then skipped or fatal as ``dataset.on_bad_row`` says.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from reward_kit._loading import load_reference
from reward_kit._types import accept_legacy_ground_truth
from reward_kit.errors import InvalidMessageError
from reward_kit.pipeline._prompts import PromptBuilder, RowProblem
from reward_kit.pipeline._sources import DatasetError, UnreadableRow, load_rows
from reward_kit.pipeline.config import BadRowPolicy, DatasetConfig

__all__ = [
    "BadRow",
    "DatasetError",
    "LoadedDataset",
    "Sample",
    "content_id",
    "load_samples",
    "read_samples",
]

logger = logging.getLogger(__name__)

_RESERVED = frozenset({"id", "messages", "user_query", "response", "ground_truth", "tools"})


@dataclass
class Sample:
    """One sample to evaluate.

    Attributes:
        id: Stable id (the id column, else ``h-`` and a hash of the row's content).
        messages: The conversation: the prompt, or with generation disabled the prompt and the
            assistant response to score.
        ground_truth: Reference answer for the reward (any JSON value).
        tools: Tool definitions offered to the model, if the row has any.
        extra: The row's other columns, passed to rewards as keyword arguments.
        row_number: 1-based position in the dataset, for messages.
    """

    id: str
    messages: list[dict[str, Any]]
    ground_truth: Any = None
    tools: list[dict[str, Any]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    row_number: int = 0


@dataclass(frozen=True)
class BadRow:
    """A row that could not become a sample.

    Attributes:
        row: The row after column mapping and transformations; ``None`` when it could not be
            read or mapped (a line that is not JSON, a mapped column missing).
        sample_id: The id the sample would have had (id column, else content hash), if known.
    """

    row_number: int
    column: str
    problem: str
    row: dict[str, Any] | None = None
    sample_id: str | None = None

    def __str__(self) -> str:
        return f"row {self.row_number}, column {self.column!r}: {self.problem}"


@dataclass
class LoadedDataset:
    """The samples of a dataset and the rows that were skipped."""

    samples: list[Sample]
    skipped: list[BadRow]


def content_id(row: dict[str, Any]) -> str:
    """A stable id from a row's content (sha256 of its canonical JSON), not Python's ``hash``."""
    canonical = json.dumps(row, sort_keys=True, separators=(",", ":"), default=str)
    return "h-" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def _load_transformations(
    references: Iterable[str], base_dir: Path | None
) -> list[Callable[..., Any]]:
    functions = []
    for reference in references:
        function = load_reference(reference, base_dir)
        if not callable(function):
            raise DatasetError(f"dataset.transformations: {reference!r} is not a function")
        functions.append(function)
    return functions


def _map_columns(row: dict[str, Any], mapping: dict[str, str | None]) -> dict[str, Any]:
    mapped = dict(row)
    for ours, source in mapping.items():
        if source is None:
            continue
        if source not in row:
            raise RowProblem(source, "mapped column is missing from the row")
        if source == ours:
            continue
        mapped.pop(source, None)
        mapped[ours] = row[source]
    return accept_legacy_ground_truth(mapped)


class _SampleFactory:
    """Turns mapped rows into samples; one per dataset load."""

    def __init__(
        self,
        config: DatasetConfig,
        base_dir: Path | None,
        system_prompt: str | None,
        needs_response: bool,
    ) -> None:
        self.config = config
        self.transformations = _load_transformations(config.transformations, base_dir)
        self.prompts = PromptBuilder(
            system_prompt=system_prompt or config.system_prompt,
            template=config.prompt_template,
            few_shot_examples=config.few_shot_examples,
            needs_response=needs_response,
        )
        self.seen_ids: dict[str, int] = {}

    def map(self, row: dict[str, Any]) -> dict[str, Any]:
        """The row through the column mapping and the transformations."""
        mapped = _map_columns(row, dict(self.config.column_mapping))
        for transform in self.transformations:
            try:
                result = transform(mapped)
            except Exception as exc:
                raise RowProblem("*", f"transformation {transform.__name__} failed: {exc}") from exc
            if not isinstance(result, dict):
                raise RowProblem("*", f"transformation {transform.__name__} returned no dict")
            mapped = result
        return mapped

    def make(self, mapped: dict[str, Any], row_number: int) -> Sample:
        """The sample of a mapped row (raises ``RowProblem`` when it cannot be one)."""
        tools = mapped.get("tools")
        if tools is not None and not (
            isinstance(tools, list) and all(isinstance(tool, dict) for tool in tools)
        ):
            raise RowProblem("tools", f"expected a list of tool dicts, got {type(tools).__name__}")
        try:
            messages = self.prompts.build(mapped)
        except InvalidMessageError as exc:
            raise RowProblem("messages", str(exc)) from None
        extra = {key: value for key, value in mapped.items() if key not in _RESERVED}
        if self.config.id_column is not None:
            extra.pop(self.config.id_column, None)
        return Sample(
            id=self._sample_id(mapped),
            messages=messages,
            ground_truth=mapped.get("ground_truth"),
            tools=tools,
            extra=extra,
            row_number=row_number,
        )

    def given_id(self, mapped: dict[str, Any]) -> str | None:
        """The row's id from its id column (``None`` without one)."""
        id_column = self.config.id_column or ("id" if mapped.get("id") is not None else None)
        if id_column is None:
            return None
        value = mapped.get(id_column)
        if value is None or isinstance(value, (dict, list)):
            raise RowProblem(id_column, f"id must be a string or number, got {value!r}")
        return str(value)

    def _sample_id(self, mapped: dict[str, Any]) -> str:
        sample_id = self.given_id(mapped)
        if sample_id is not None:
            if sample_id in self.seen_ids:
                raise RowProblem(
                    self.config.id_column or "id",
                    f"id {sample_id!r} already used by row {self.seen_ids[sample_id]}",
                )
            return sample_id
        sample_id = base = content_id(mapped)
        copy = 1
        while sample_id in self.seen_ids:  # identical rows: keep each, with distinct ids
            copy += 1
            sample_id = f"{base}~{copy}"
        return sample_id


def read_samples(
    config: DatasetConfig,
    *,
    base_dir: str | Path | None = None,
    system_prompt: str | None = None,
    limit: int | None = None,
    needs_response: bool = False,
    rows: Iterable[dict[str, Any]] | None = None,
) -> Iterator[Sample | BadRow]:
    """Each row of a dataset, in order: its sample, or the :class:`BadRow` saying why not.

    Takes the arguments of :func:`load_samples`, which applies ``dataset.on_bad_row`` to this,
    and ``rows``: rows already in memory, used instead of the configured source.

    Raises:
        DatasetError: the dataset cannot be read.
    """
    folder = Path(base_dir) if base_dir is not None else None
    factory = _SampleFactory(config, folder, system_prompt, needs_response)
    source = load_rows(config, folder, limit) if rows is None else islice(rows, limit)
    for row_number, row in enumerate(source, start=1):
        mapped = None
        try:
            if isinstance(row, UnreadableRow):
                raise RowProblem("*", row.problem)
            mapped = factory.map(row)
            sample = factory.make(mapped, row_number)
        except RowProblem as problem:
            yield BadRow(
                row_number, problem.column, problem.problem, mapped, _id_of(factory, mapped)
            )
            continue
        factory.seen_ids[sample.id] = row_number
        yield sample


def _id_of(factory: _SampleFactory, mapped: dict[str, Any] | None) -> str | None:
    """The id a bad row's sample would have had, when it has one that can be said."""
    if mapped is None:
        return None
    try:
        given = factory.given_id(mapped)
    except RowProblem:
        return None
    return given if given is not None else content_id(mapped)


def load_samples(
    config: DatasetConfig,
    *,
    base_dir: str | Path | None = None,
    system_prompt: str | None = None,
    limit: int | None = None,
    needs_response: bool = False,
) -> LoadedDataset:
    """Load a dataset and build its samples.

    Args:
        config: The ``dataset`` section of a run config.
        base_dir: Folder of the config, where relative paths are also looked up.
        system_prompt: Run-level system prompt; it takes precedence over the dataset's.
        limit: At most this many rows (``evaluation_params.limit_samples``).
        needs_response: True when nothing will be generated: every sample must then end with
            an assistant turn (from ``messages`` or a ``response`` column).

    Raises:
        DatasetError: the dataset cannot be read, or a row is bad and ``on_bad_row`` is fail.
    """
    samples: list[Sample] = []
    skipped: list[BadRow] = []
    for item in read_samples(
        config,
        base_dir=base_dir,
        system_prompt=system_prompt,
        limit=limit,
        needs_response=needs_response,
    ):
        if isinstance(item, Sample):
            samples.append(item)
            continue
        if config.on_bad_row is BadRowPolicy.fail:
            raise DatasetError(
                f"dataset {config.path_or_name!r}: {item} (set dataset.on_bad_row=skip to "
                "skip such rows)"
            )
        logger.warning("skipping dataset %s", item)
        skipped.append(item)
    return LoadedDataset(samples, skipped)
