"""Groups of samples for batch-mode rewards: every variant of a prompt in the same call.

A batch-mode reward (``@reward_function(mode="batch")``) may score each rollout against the
others of its prompt (pairwise, group-relative), so it must see all ``n`` variants of a prompt
at once. A resumed run may have some variants of a prompt done already: their conversations,
read back from the results file, join the call again as context, so the group is whole, but
only the missing variants get new rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reward_kit.pipeline.datasets import Sample
from reward_kit.pipeline.results import generation_failed

__all__ = ["Member", "plan_groups"]


@dataclass
class Member:
    """One rollout of a group."""

    sample: Sample
    variant: int
    done_messages: list[dict[str, Any]] | None = None
    """The conversation of a variant already in the results file (scored as context only);
    ``None`` for a variant this run produces."""


def plan_groups(
    jobs: list[tuple[Sample, int]], done_rows: list[dict[str, Any]], prompts_per_call: int
) -> list[list[Member]]:
    """Split the variants left to do into calls of ``prompts_per_call`` whole prompts.

    Args:
        jobs: The ``(sample, variant)`` pairs to do, in dataset order.
        done_rows: Rows already in the results file; those of a prompt with variants left to
            do (and a response) complete its group.
        prompts_per_call: Prompts per call; each brings all of its variants.
    """
    samples: dict[str, Sample] = {}
    missing: dict[str, list[int]] = {}
    for sample, variant in jobs:
        samples[sample.id] = sample
        missing.setdefault(sample.id, []).append(variant)
    context: dict[str, list[tuple[int, list[dict[str, Any]]]]] = {}
    for row in done_rows:
        sample_id = str(row["id"])
        if sample_id in missing and not generation_failed(row):
            context.setdefault(sample_id, []).append((int(row["variant"]), row["messages"]))
    ids = list(missing)
    groups = []
    for start in range(0, len(ids), prompts_per_call):
        members: list[Member] = []
        for sample_id in ids[start : start + prompts_per_call]:
            sample = samples[sample_id]
            prompt = [Member(sample, variant) for variant in missing[sample_id]]
            prompt += [Member(sample, v, messages) for v, messages in context.get(sample_id, [])]
            members += sorted(prompt, key=lambda member: member.variant)
        groups.append(members)
    return groups
