"""Tag count reward: are the required XML-style tags each present exactly once?"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from reward_kit.models import EvaluateResult, Message, MetricResult
from reward_kit.rewards._common import RewardInputError, response_text
from reward_kit.rewards._options import check_options
from reward_kit.rewards._text import restore_prefilled_think
from reward_kit.typed_interface import reward_function

__all__ = ["tag_count_reward"]

_TAG_NAME = re.compile(r"[A-Za-z_][\w.-]*")


def _check_tag(text: str, tag: str, require_balanced: bool) -> tuple[bool, str]:
    """Whether ``tag`` opens and closes exactly once (in that order, when balanced)."""
    opening, closing = f"<{tag}>", f"</{tag}>"
    opens, closes = text.count(opening), text.count(closing)
    if not require_balanced:
        ok = opens + closes >= 1 and opens <= 1 and closes <= 1
        return ok, f"{opening} x{opens}, {closing} x{closes}"
    if opens != 1 or closes != 1:
        return False, f"{opening} x{opens}, {closing} x{closes}; expected exactly one of each"
    if text.index(opening) > text.index(closing):
        return False, f"{closing} comes before {opening}"
    return True, f"one {opening}...{closing} block"


@reward_function
@check_options
def tag_count_reward(
    messages: list[Message],
    ground_truth: Any = None,
    required_tags: Sequence[str] = ("think", "answer"),
    score_per_tag: float | None = None,
    require_balanced: bool = True,
    tags: Sequence[str] | None = None,
    **kwargs: Any,
) -> EvaluateResult:
    """Check that each required tag appears exactly once in the last assistant message.

    Repeating a tag does not earn more: a tag that opens or closes twice counts as missing.

    Args:
        messages: The conversation; its last assistant message is judged.
        ground_truth: Not used.
        required_tags: Tag names without brackets (``"think"`` checks ``<think>...</think>``).
        score_per_tag: None (default): 1.0 when every tag is right, else 0.0. A number gives
            partial credit: that much per correct tag.
        require_balanced: True: each tag needs one opening and one later closing tag. False:
            one opening or one closing tag (or both) is enough.
        tags: reward-kit's name for ``required_tags`` (wins when given).

    Returns:
        Metrics ``tag:<name>`` per tag (reward-kit: ``tag_<name>``) and ``tag_count``
        (reward-kit: ``overall``), the overall verdict.
    """
    if tags is not None:
        required_tags = tags
    if isinstance(required_tags, str) or not required_tags:
        return EvaluateResult.invalid("required_tags must be a non-empty list of tag names")
    bad = [tag for tag in required_tags if not _TAG_NAME.fullmatch(str(tag))]
    if bad:
        return EvaluateResult.invalid(f"required_tags has invalid tag names: {bad}")
    try:
        text = response_text(messages, drop_thinking=False)
    except RewardInputError as exc:
        return EvaluateResult.invalid(str(exc))
    if "think" in required_tags:
        text = restore_prefilled_think(text)
    metrics: dict[str, MetricResult] = {}
    for tag in required_tags:
        ok, reason = _check_tag(text, tag, require_balanced)
        metrics[f"tag:{tag}"] = MetricResult(score=float(ok), reason=reason, success=ok)
    passed = sum(1 for metric in metrics.values() if metric.success)
    for tag in required_tags:  # reward-kit's names for the same per-tag results
        metrics[f"tag_{tag}"] = metrics[f"tag:{tag}"]
    if score_per_tag is None:
        score = 1.0 if passed == len(required_tags) else 0.0
    else:
        score = score_per_tag * passed
    missing = [tag for tag in required_tags if not metrics[f"tag:{tag}"].success]
    reason = (
        f"all {len(required_tags)} tags present once"
        if not missing
        else f"{passed}/{len(required_tags)} tags correct; wrong: {', '.join(missing)}"
    )
    metrics["tag_count"] = MetricResult(score=score, reason=reason, success=not missing)
    metrics["overall"] = metrics["tag_count"]  # reward-kit's name for the same result
    return EvaluateResult(score=score, reason=reason, metrics=metrics)
