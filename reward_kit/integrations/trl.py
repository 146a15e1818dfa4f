"""reward-kit rewards as TRL reward functions (``GRPOTrainer(reward_funcs=[...])``).

Example::

    from reward_kit.integrations.trl import combine
    from reward_kit.rewards.format import format_reward
    from reward_kit.rewards.math import math_reward

    funcs, weights = combine({math_reward: 1.0, format_reward: 0.2})
    trainer = GRPOTrainer(..., reward_funcs=funcs, args=GRPOConfig(reward_weights=weights))

Nothing here imports TRL: the adapter only speaks TRL's calling convention, so this module
imports fast and works with any TRL version that keeps it (``pip install 'reward-kit[trl]'``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from reward_kit._combine import require_unique_names
from reward_kit._trl_adapter import TRL_EXTRA_KWARGS, TRLRewardAdapter

__all__ = ["TRL_EXTRA_KWARGS", "TRLRewardAdapter", "combine", "create_trl_adapter"]


def create_trl_adapter(
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
) -> TRLRewardAdapter:
    """Wrap a reward-kit reward as a TRL reward function.

    The result is called by TRL as ``fn(prompts=..., completions=..., **dataset_columns, ...)``
    and returns one ``float | None`` per completion. Prompts and completions may be strings
    (standard format) or message lists (conversational format); the reward sees the whole
    conversation, system and earlier turns included.

    Args:
        reward_fn: A ``@reward_function``, a ``RewardFunction`` (local or remote) or a callable
            taking ``messages``, ``ground_truth`` and keyword arguments; ``async def`` works.
        ground_truth_column: Dataset column passed to the reward as ``ground_truth``.
        column_map: ``{reward keyword: dataset column}`` to pass columns under another name;
            other columns pass under their own names.
        static_kwargs: Keyword arguments passed on every call (e.g. ``{"tolerance": 1e-6}``).
        weight: Factor applied to every valid score (default 1).
        name: Name TRL logs the reward under (default: the reward's registered name).
        invalid_as: Score for samples that could not be evaluated; by default they get
            ``None``, which TRL leaves out of that sample's total reward.
        workers: Where sync rewards run: ``None`` (default) scores in threads of this process
            (the reward shares its globals, as when TRL calls it directly); ``N`` uses ``N``
            worker processes, faster for CPU-bound sync rewards. See "Where rewards run" in
            docs/integrations/trl.md.
        timeout: Seconds each sample may take before it counts as not evaluated.
        executor: ``"ray"`` runs sync rewards as Ray tasks (on the cluster Ray is connected
            to), so reward computation scales apart from the trainer; see docs/scale.md.

    Returns:
        A picklable callable with ``__name__``; failures are logged once per distinct reason
        and, when TRL passes ``log_metric``/``log_extra``, reported as the metric
        ``reward_kit/<name>/invalid_fraction`` and the completions-table column
        ``<name>_error``.
    """
    return TRLRewardAdapter(
        reward_fn,
        ground_truth_column=ground_truth_column,
        column_map=column_map,
        static_kwargs=static_kwargs,
        weight=weight,
        name=name,
        invalid_as=invalid_as,
        workers=workers,
        timeout=timeout,
        executor=executor,
    )


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
        ``GRPOConfig(reward_weights=...)``. TRL logs each reward unweighted under its name.

    Raises:
        DuplicateRewardNameError: Two rewards would be logged under the same name (a
            ``ValueError``, as in ``reward-kit run`` and ``serve``).
        ValueError: A weight is not a finite number.
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
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight != weight:
            raise ValueError(f"weight of {adapter.__name__!r} must be a number, got {weight!r}")
        funcs.append(adapter)
        weights.append(float(weight))
    if not funcs:
        raise ValueError("combine() needs at least one reward")
    require_unique_names(
        (func.__name__ for func in funcs),
        "wrap one with create_trl_adapter(..., name='another name')",
    )
    return funcs, weights
