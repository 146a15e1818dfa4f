"""reward-kit rewards as TRL reward functions (``GRPOTrainer(reward_funcs=[...])``).

Example::

    from reward_kit.integrations.trl import combine
    from reward_kit.rewards.format import format_reward
    from reward_kit.rewards.math import math_reward

    funcs, weights = combine({math_reward: 1.0, format_reward: 0.2})
    trainer = GRPOTrainer(..., reward_funcs=funcs, args=GRPOConfig(reward_weights=weights))

TRL's ``GRPOTrainer`` calls each reward as
``fn(prompts=[...], completions=[...], completion_ids=[...], **columns, trainer_state=...,
log_extra=..., log_metric=...)`` where ``columns`` are the dataset's other columns as per-sample
lists, and expects one float (or ``None``: "no reward for this sample") per completion. The
adapter builds each sample's full conversation, scores the batch in parallel through
:class:`reward_kit.scoring.Scorer`, and never turns a failed evaluation into a silent 0.

Nothing here imports TRL: the adapter only speaks TRL's calling convention, so this module
imports fast and works with any TRL version that keeps it (``pip install 'reward-kit[trl]'``).
``RewardFunction.get_trl_adapter()`` imports this module when it is called.
"""

from __future__ import annotations

import inspect
import logging
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from reward_kit._async_bridge import run_sync
from reward_kit._combine import normalized_weights, require_unique_names, reward_name
from reward_kit.integrations._trl_linked import LinkedRewards
from reward_kit.models import EvaluateResult
from reward_kit.reward_function import RewardFunction
from reward_kit.scoring import Scorer
from reward_kit.steps import step_rewards

__all__ = ["TRL_EXTRA_KWARGS", "TRLRewardAdapter", "combine", "create_trl_adapter"]

logger = logging.getLogger("reward_kit.trl")

TRL_EXTRA_KWARGS = frozenset(
    {
        "prompts",
        "completions",
        "completion_ids",
        "trainer_state",
        "log_extra",
        "log_metric",
        "environments",
    }
)
"""Keyword arguments TRL adds itself; they are not dataset columns."""

_PASSED_IF_NAMED = frozenset({"trainer_state"})
"""TRL extras given to a reward only when its signature names them (they must pickle)."""

_MAX_REMEMBERED_ERRORS = 100


def _conversation(prompt: Any, completion: Any, index: int) -> list[Any]:
    """The full conversation of one sample, in either of TRL's dataset formats."""
    if isinstance(prompt, str) and isinstance(completion, str):
        return [{"role": "user", "content": prompt}, {"role": "assistant", "content": completion}]
    if isinstance(prompt, list) and isinstance(completion, list):
        return [*prompt, *completion]
    raise ValueError(
        f"sample {index}: prompts and completions must both be strings (standard format) or both "
        f"lists of message dicts (conversational format); got {type(prompt).__name__} and "
        f"{type(completion).__name__}"
    )


def _parameters(reward_fn: Callable[..., Any]) -> tuple[frozenset[str], bool]:
    """The keyword names ``reward_fn`` declares, and whether it also takes ``**kwargs``."""
    target = reward_fn
    if isinstance(reward_fn, RewardFunction) and reward_fn.func is not None:
        target = reward_fn.func
    try:
        parameters = inspect.signature(target).parameters.values()
    except (TypeError, ValueError):  # builtins and some C callables have no signature
        return frozenset(), True
    names = frozenset(p.name for p in parameters if p.kind is not p.VAR_KEYWORD)
    return names, any(p.kind is p.VAR_KEYWORD for p in parameters)


class TRLRewardAdapter:
    """A reward-kit reward wrapped as a TRL reward function (picklable, with ``__name__``).

    Made by :func:`create_trl_adapter` (the same class under its documented name). TRL calls it
    as ``fn(prompts=..., completions=..., **dataset_columns, ...)`` and it returns one
    ``float | None`` per completion. Prompts and completions may be strings (standard format)
    or message lists (conversational format); the reward sees the whole conversation, system
    and earlier turns included. Failures are logged once per distinct reason and, when TRL
    passes ``log_metric``/``log_extra``, reported as the metric
    ``reward_kit/<name>/invalid_fraction`` and the completions-table column ``<name>_error``.

    Args:
        reward_fn: A ``@reward_function``, a ``RewardFunction`` (local or remote) or a callable
            taking ``messages``, ``ground_truth`` and keyword arguments; ``async def`` works.
        ground_truth_column: Dataset column passed to the reward as ``ground_truth``.
        column_map: ``{reward keyword: dataset column}`` to pass columns under another name;
            other columns pass under their own names.
        static_kwargs: Keyword arguments passed on every call (e.g. ``{"tolerance": 1e-6}``);
            a dataset column of the same name wins.
        weight: Factor applied to every valid score (default 1). Prefer TRL's
            ``reward_weights`` (see :func:`combine`) so that TRL logs the unscaled rewards.
        name: Name TRL logs the reward under (default: the reward's registered name).
        invalid_as: Score for samples that could not be evaluated; by default they get
            ``None``, which TRL leaves out of that sample's total reward.
        workers: Where sync rewards run. ``None`` (default) or ``0``: threads of this
            process, sharing its globals and loaded models, as TRL calls rewards itself;
            ``N``: ``N`` worker processes, faster for CPU-bound rewards and able to stop one
            that hangs. Async rewards run on the event loop either way, and the built-in
            CPU-heavy families (math, code execution) use their own workers and sandboxes.
            See "Where rewards run" in docs/integrations/trl.md.
        timeout: Seconds each sample may take; past it the sample is invalid (a sync reward
            in this process can only be reported, not stopped: use workers to stop it).
        executor: ``"processes"`` (default; see ``workers``) or ``"ray"``: sync rewards run
            as Ray tasks (on the cluster Ray is connected to), so reward computation scales
            apart from the trainer; see docs/scale.md.
    """

    def __init__(
        self,
        reward_fn: Callable[..., Any],
        *,
        ground_truth_column: str = "ground_truth",
        column_map: Mapping[str, str] | None = None,
        static_kwargs: Mapping[str, Any] | None = None,
        weight: float | None = None,
        name: str | None = None,
        invalid_as: float | None = None,
        workers: int | None = None,
        timeout: float | None = None,
        executor: str = "processes",
    ) -> None:
        for label, number in (("weight", weight), ("invalid_as", invalid_as)):
            if number is not None and (isinstance(number, bool) or not math.isfinite(number)):
                raise ValueError(f"{label} must be a finite number, got {number!r}")
        self.reward_fn = reward_fn
        self.ground_truth_column = ground_truth_column
        self.column_map = dict(column_map or {})
        self.static_kwargs = dict(static_kwargs or {})
        self.weight = weight
        self.invalid_as = invalid_as
        self.workers = workers
        self.timeout = timeout
        self.executor = executor
        self.__name__ = name or reward_name(reward_fn)
        self._seen_errors: set[str] = set()
        self.last_results: list[EvaluateResult] = []
        """The full results of the last batch (reasons, metrics, per-step rewards), in order."""
        self._scorer: Scorer | None = None
        self._get_scorer()  # fail now, not mid-training, on bad settings
        self.linked: LinkedRewards | None = None
        """Set by :func:`combine`: the rewards this one is scored and invalidated with."""

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_scorer"] = None  # holds a process pool; rebuilt on first use after unpickling
        return state

    @property
    def scorer(self) -> Scorer:
        """The scorer running this reward (rebuilt after unpickling)."""
        return self._get_scorer()

    def _get_scorer(self) -> Scorer:
        if self._scorer is None:
            self._scorer = Scorer(
                self.reward_fn,
                workers=self.workers or 0,
                timeout=self.timeout,
                executor=self.executor,
            )
        return self._scorer

    def samples(
        self, prompts: list[Any], completions: list[Any], columns: Mapping[str, Any]
    ) -> list[dict[str, Any]]:
        """The reward-kit samples (``messages``, ``ground_truth``, keyword arguments) of a batch.

        Args:
            prompts: TRL's ``prompts``.
            completions: TRL's ``completions``.
            columns: Every other keyword argument TRL passed (dataset columns and TRL's extras).
        """
        count = len(completions)
        if len(prompts) != count:
            raise ValueError(f"{self.__name__}: got {len(prompts)} prompts for {count} completions")
        named, takes_kwargs = _parameters(self.reward_fn)
        per_sample = {
            key: value
            for key, value in columns.items()
            if key not in TRL_EXTRA_KWARGS and isinstance(value, list) and len(value) == count
        }
        wanted = dict(self.column_map)
        if self.ground_truth_column != "ground_truth":  # asked for by name: must be there
            wanted["ground_truth"] = self.ground_truth_column
        for keyword, column in wanted.items():
            if column not in per_sample:
                raise ValueError(
                    f"{self.__name__}: {keyword!r} should come from dataset column {column!r}, "
                    f"which TRL did not pass (columns: {sorted(per_sample)})"
                )
        mapped = {*self.column_map.values(), self.ground_truth_column}
        per_keyword = {k: v for k, v in per_sample.items() if k not in mapped}
        per_keyword.update({kw: per_sample[column] for kw, column in self.column_map.items()})
        if self.ground_truth_column in per_sample:
            per_keyword["ground_truth"] = per_sample[self.ground_truth_column]
        constant = {**self.static_kwargs}
        constant.update({k: columns[k] for k in _PASSED_IF_NAMED & named if k in columns})
        if not takes_kwargs:  # a plain callable: pass only what it declares
            per_keyword = {k: v for k, v in per_keyword.items() if k in named}
            constant = {k: v for k, v in constant.items() if k in named}
        samples = []
        for index in range(count):
            sample = {**constant, **{key: values[index] for key, values in per_keyword.items()}}
            sample["messages"] = _conversation(prompts[index], completions[index], index)
            samples.append(sample)
        return samples

    def _value(self, result: EvaluateResult) -> float | None:
        if not result.is_score_valid:
            return self.invalid_as
        return result.score if self.weight is None else result.score * self.weight

    def _report(self, results: list[EvaluateResult], columns: Mapping[str, Any]) -> None:
        """Log failures (each distinct reason once) and, through TRL, per-batch metrics."""
        errors = [None if r.is_score_valid else (r.error or r.reason or "invalid") for r in results]
        given = "None" if self.invalid_as is None else self.invalid_as
        for error in errors:
            if error is None or error in self._seen_errors:
                continue
            if len(self._seen_errors) >= _MAX_REMEMBERED_ERRORS:
                logger.debug("%s: a sample could not be evaluated: %s", self.__name__, error)
                continue
            self._seen_errors.add(error)
            logger.warning(
                "%s: a sample could not be evaluated and gets %s: %s%s",
                self.__name__,
                given,
                error,
                ""
                if len(self._seen_errors) < _MAX_REMEMBERED_ERRORS
                else f" (after {_MAX_REMEMBERED_ERRORS} distinct reasons, new ones go to DEBUG; "
                "the invalid_fraction metric still counts every failure)",
            )
        log_metric = columns.get("log_metric")
        if callable(log_metric) and results:
            failed = sum(error is not None for error in errors)
            log_metric(f"reward_kit/{self.__name__}/invalid_fraction", failed / len(results))
            for metric, value in _metric_means(results).items():
                log_metric(f"reward_kit/{self.__name__}/{metric}", value)
        log_extra = columns.get("log_extra")
        if callable(log_extra):
            log_extra(f"{self.__name__}_error", errors)
            if any(result.step_outputs for result in results):
                log_extra(f"{self.__name__}_step_rewards", [_steps(r) for r in results])

    def __call__(
        self, prompts: list[Any], completions: list[Any] | None = None, **kwargs: Any
    ) -> list[float | None]:
        """Score a batch of completions the way TRL calls reward functions.

        Args:
            prompts: TRL's prompts; without ``completions``, whole conversations that each
                end with the response (reward-kit's documented ``adapter(batch)`` form).
            completions: TRL's completions.
            **kwargs: Dataset columns (per-sample lists) and TRL's extras.

        Returns:
            One value per completion: the (weighted) score, or ``invalid_as`` (default ``None``)
            for a completion that could not be evaluated.
        """
        if completions is None:
            prompts, completions = _split_conversations(prompts)
        if self.linked is None:
            results = run_sync(self.scorer.score_many(self.samples(prompts, completions, kwargs)))
            reported = results
        else:
            results, reported = self.linked.results(self, prompts, completions, kwargs)
        self.last_results = results
        self._report(reported, kwargs)
        return [self._value(result) for result in reported]


create_trl_adapter = TRLRewardAdapter
"""Wrap a reward-kit reward as a TRL reward function: see :class:`TRLRewardAdapter`."""


def _split_conversations(conversations: list[Any]) -> tuple[list[Any], list[Any]]:
    """Prompts and completions of whole conversations (the last message is the completion)."""
    for index, conversation in enumerate(conversations):
        if not isinstance(conversation, list) or not conversation:
            raise ValueError(
                f"sample {index}: without completions, each item must be a non-empty list of "
                f"messages ending with the response; got {type(conversation).__name__}"
            )
    return [c[:-1] for c in conversations], [c[-1:] for c in conversations]


def _steps(result: EvaluateResult) -> list[float] | None:
    """A result's per-step rewards in step order; None when it has none that mean anything."""
    try:
        return step_rewards(result)
    except ValueError:  # not scored, or steps sharing an index
        return None


def _metric_means(results: list[EvaluateResult]) -> dict[str, float]:
    """Mean score of each sub-metric over the valid results that report it."""
    totals: dict[str, list[float]] = {}
    for result in results:
        if result.is_score_valid:
            for metric, value in result.metrics.items():
                if value.is_score_valid:
                    totals.setdefault(metric, []).append(value.score)
    return {metric: sum(scores) / len(scores) for metric, scores in totals.items()}


RewardsWithWeights = (
    Mapping[Callable[..., Any], float]
    | Iterable[Callable[..., Any] | tuple[Callable[..., Any], float]]
)
"""``{reward: weight}``, ``[(reward, weight), ...]`` or ``[reward, ...]`` (weight 1)."""


def combine(
    rewards_with_weights: RewardsWithWeights, **adapter_options: Any
) -> tuple[list[TRLRewardAdapter], list[float]]:
    """Several rewards as TRL's ``reward_funcs`` and ``reward_weights``, in one line.

    Args:
        rewards_with_weights: ``{reward: weight}``, a list of ``(reward, weight)`` pairs, or a
            list of rewards (each weighted 1). A reward that is already an adapter is used as
            it is; others are wrapped with :func:`create_trl_adapter`.
        **adapter_options: Options of :func:`create_trl_adapter` for the rewards it wraps.

    Returns:
        ``(reward_funcs, reward_weights)`` for ``GRPOTrainer(reward_funcs=...)`` and
        ``GRPOConfig(reward_weights=...)``. The weights are scaled to add up to 1, so TRL's
        weighted sum is the weighted mean that ``reward-kit run`` and ``serve`` give. The
        rewards score each batch together: a sample one of them could not score gets no reward
        from any of them (``None``, or each one's ``invalid_as``), as a combined result with an
        invalid part is invalid everywhere. TRL logs each reward unweighted under its name.

    Raises:
        DuplicateRewardNameError: Two rewards would be logged under the same name (a
            ``ValueError``, as in ``reward-kit run`` and ``serve``).
        ValueError: A weight is not a finite number, or the weights add up to 0 or less.
    """
    if isinstance(rewards_with_weights, Mapping):
        pairs = list(rewards_with_weights.items())
    else:
        pairs = [item if isinstance(item, tuple) else (item, 1.0) for item in rewards_with_weights]
    funcs: list[TRLRewardAdapter] = []
    weights: list[float] = []
    for reward, weight in pairs:
        adapter = (
            reward
            if isinstance(reward, TRLRewardAdapter)
            else create_trl_adapter(reward, **adapter_options)
        )
        number = isinstance(weight, (int, float)) and not isinstance(weight, bool)
        if not number or not math.isfinite(weight):
            raise ValueError(f"weight of {adapter.__name__!r} must be a number, got {weight!r}")
        funcs.append(adapter)
        weights.append(float(weight))
    if not funcs:
        raise ValueError("combine() needs at least one reward")
    require_unique_names(
        (func.__name__ for func in funcs),
        "wrap one with create_trl_adapter(..., name='another name')",
    )
    if len(funcs) > 1:
        linked = LinkedRewards(funcs)
        for func in funcs:
            func.linked = linked
    return funcs, normalized_weights(weights)
