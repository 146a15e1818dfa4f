"""Calling a reward-kit reward with TRL's reward-function convention.

TRL's ``GRPOTrainer`` calls each reward as
``fn(prompts=[...], completions=[...], completion_ids=[...], **columns, trainer_state=...)``
where ``columns`` are the dataset's other columns as per-sample lists, and expects one float
(or ``None``: "no reward for this sample") per completion. The adapter builds each sample's full
conversation, scores the batch through :mod:`reward_kit.scoring`, and never turns a failed
evaluation into a silent 0.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from reward_kit.models import EvaluateResult
from reward_kit.scoring import score_batch

logger = logging.getLogger("reward_kit.trl")

TRL_EXTRA_KWARGS = frozenset(
    {"prompts", "completions", "completion_ids", "trainer_state", "log_extra", "log_metric"}
)
"""Keyword arguments TRL adds itself; they are not dataset columns."""


def _conversation(prompt: Any, completion: Any) -> list[dict[str, Any]]:
    """The full conversation of one sample, in either of TRL's dataset formats."""
    if isinstance(prompt, str) and isinstance(completion, str):
        return [{"role": "user", "content": prompt}, {"role": "assistant", "content": completion}]
    if isinstance(prompt, list) and isinstance(completion, list):
        return [*prompt, *completion]
    raise ValueError(
        "prompts and completions must both be strings (standard format) or both lists of "
        f"message dicts (conversational format); got {type(prompt).__name__} and "
        f"{type(completion).__name__}"
    )


class TRLRewardAdapter:
    """A reward-kit reward wrapped as a TRL reward function (picklable, with ``__name__``).

    Args:
        reward_fn: The reward (a ``@reward_function``, a ``RewardFunction`` or a callable).
        ground_truth_column: Dataset column passed as ``ground_truth``.
        column_map: ``{reward keyword: dataset column}`` for columns passed under another name.
        static_kwargs: Keyword arguments passed to every call.
        invalid_as: Score given to samples that could not be evaluated; ``None`` (default)
            returns ``None`` for them, which TRL ignores for that sample.
        workers: Worker processes for scoring (default: all CPUs).
        timeout: Seconds each sample may take.
        name: Name TRL logs the reward under (default: the reward's name).
    """

    def __init__(
        self,
        reward_fn: Callable[..., Any],
        *,
        ground_truth_column: str = "ground_truth",
        column_map: Mapping[str, str] | None = None,
        static_kwargs: Mapping[str, Any] | None = None,
        invalid_as: float | None = None,
        workers: int | None = None,
        timeout: float | None = None,
        name: str | None = None,
    ) -> None:
        self.reward_fn = reward_fn
        self.ground_truth_column = ground_truth_column
        self.column_map = dict(column_map or {})
        self.static_kwargs = dict(static_kwargs or {})
        self.invalid_as = invalid_as
        self.workers = workers
        self.timeout = timeout
        info = getattr(reward_fn, "__reward_kit__", None)
        self.__name__ = name or (info.name if info else getattr(reward_fn, "__name__", "reward"))

    def _samples(
        self, prompts: list[Any], completions: list[Any], columns: dict[str, Any]
    ) -> list[dict[str, Any]]:
        count = len(completions)
        per_sample = {
            key: value
            for key, value in columns.items()
            if key not in TRL_EXTRA_KWARGS and isinstance(value, list) and len(value) == count
        }
        renamed = {keyword: per_sample[column] for keyword, column in self.column_map.items()}
        mapped_columns = set(self.column_map.values()) | {self.ground_truth_column}
        passthrough = {k: v for k, v in per_sample.items() if k not in mapped_columns}
        samples = []
        for index in range(count):
            sample: dict[str, Any] = {**self.static_kwargs}
            sample.update({key: values[index] for key, values in passthrough.items()})
            sample.update({key: values[index] for key, values in renamed.items()})
            if self.ground_truth_column in per_sample:
                sample["ground_truth"] = per_sample[self.ground_truth_column][index]
            sample["messages"] = _conversation(prompts[index], completions[index])
            samples.append(sample)
        return samples

    def _value(self, result: EvaluateResult) -> float | None:
        if result.is_score_valid:
            return result.score
        return self.invalid_as

    def __call__(
        self, prompts: list[Any], completions: list[Any], **kwargs: Any
    ) -> list[float | None]:
        """Score a batch of completions the way TRL calls reward functions."""
        if len(prompts) != len(completions):
            raise ValueError(
                f"{self.__name__}: got {len(prompts)} prompts for {len(completions)} completions"
            )
        samples = self._samples(prompts, completions, kwargs)
        results = score_batch(self.reward_fn, samples, workers=self.workers, timeout=self.timeout)
        failures = [result for result in results if not result.is_score_valid]
        if failures:
            logger.warning(
                "%s: %d of %d samples could not be evaluated (%s); they get %s",
                self.__name__,
                len(failures),
                len(results),
                failures[0].error,
                "None" if self.invalid_as is None else self.invalid_as,
            )
        return [self._value(result) for result in results]
