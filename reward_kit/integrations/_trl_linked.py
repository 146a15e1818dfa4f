"""The rewards of one ``combine()`` call, scored together so that they combine as elsewhere.

TRL calls each reward function of a step in turn with the same ``prompts`` and ``completions``
lists and adds up the weighted values itself. To give TRL what ``reward-kit run`` and ``serve``
give (one part that could not be scored makes the whole sample unscored), the first reward of
a batch scores it with every linked reward at once and each reward then hands TRL its own
column, with the samples another reward could not score marked invalid too. The rewards of a
batch also run concurrently instead of one after another.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from reward_kit._async_bridge import run_sync
from reward_kit.models import EvaluateResult

if TYPE_CHECKING:
    from reward_kit.integrations.trl import TRLRewardAdapter

__all__ = ["LinkedRewards"]


class LinkedRewards:
    """Scores a batch once for all linked adapters and remembers it until each has taken its part.

    Args:
        adapters: The adapters of one ``combine()`` call, in TRL's order.
    """

    def __init__(self, adapters: Sequence[TRLRewardAdapter]) -> None:
        self.adapters = list(adapters)
        self._lock = threading.Lock()
        self._batch: tuple[Any, Any] | None = None
        self._results: list[list[EvaluateResult]] = []
        self._taken: set[int] = set()

    def __getstate__(self) -> dict[str, Any]:
        return {"adapters": self.adapters}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["adapters"])  # type: ignore[misc]

    def results(
        self,
        adapter: TRLRewardAdapter,
        prompts: list[Any],
        completions: list[Any],
        columns: Mapping[str, Any],
    ) -> tuple[list[EvaluateResult], list[EvaluateResult]]:
        """``adapter``'s own results for the batch, and the results it should report to TRL.

        The batch is the same as the one last scored when TRL passes the same list objects and
        ``adapter`` has not taken its part of it yet; otherwise it is scored now.
        """
        position = next(i for i, linked in enumerate(self.adapters) if linked is adapter)
        with self._lock:
            same = self._batch is not None and (
                self._batch[0] is prompts and self._batch[1] is completions
            )
            if not same or position in self._taken:
                self._results = self._score(prompts, completions, columns)
                self._batch = (prompts, completions)
                self._taken = set()
            self._taken.add(position)
            own = self._results[position]
            return own, [self._as_reported(own, index) for index in range(len(own))]

    def _score(
        self, prompts: list[Any], completions: list[Any], columns: Mapping[str, Any]
    ) -> list[list[EvaluateResult]]:
        batches = [adapter.samples(prompts, completions, columns) for adapter in self.adapters]

        async def score_all() -> list[list[EvaluateResult]]:
            return list(
                await asyncio.gather(
                    *(
                        adapter.scorer.score_many(samples)
                        for adapter, samples in zip(self.adapters, batches, strict=True)
                    )
                )
            )

        return run_sync(score_all())

    def _as_reported(self, own: list[EvaluateResult], index: int) -> EvaluateResult:
        """The sample's own result, or an invalid one naming the linked rewards that failed."""
        result = own[index]
        if not result.is_score_valid:
            return result
        failed = [
            f"{adapter.__name__}: {parts[index].error or 'score not valid'}"
            for adapter, parts in zip(self.adapters, self._results, strict=True)
            if not parts[index].is_score_valid
        ]
        if not failed:
            return result
        error = "not rewarded, since a combined reward could not score it: " + "; ".join(failed)
        return EvaluateResult(score=0.0, is_score_valid=False, error=error, reason=error)
