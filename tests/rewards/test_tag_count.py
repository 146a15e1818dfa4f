"""Tests of reward_kit.rewards.tag_count."""

from __future__ import annotations

import pytest

from reward_kit.rewards.tag_count import tag_count_reward
from tests.rewards.conversations import MALFORMED_CONVERSATIONS, reply


def test_all_tags_once_scores_one() -> None:
    result = tag_count_reward(reply("<think>a</think><answer>b</answer>"))
    assert result.score == 1.0
    assert result.metrics["tag:think"].success and result.metrics["tag:answer"].success


def test_strict_by_default_and_partial_with_score_per_tag() -> None:
    text = "<think>a</think> the answer is b"
    assert tag_count_reward(reply(text)).score == 0.0
    assert tag_count_reward(reply(text), score_per_tag=0.5).score == 0.5


def test_repeating_tags_earns_nothing() -> None:
    text = "<think>a</think>" + "<answer>b</answer>" * 5
    assert tag_count_reward(reply(text), score_per_tag=0.25).score == 0.25
    assert "x5" in tag_count_reward(reply(text)).metrics["tag:answer"].reason


def test_balance_and_order() -> None:
    swapped = "</answer>b<answer><think>a</think>"
    assert tag_count_reward(reply(swapped)).score == 0.0
    assert tag_count_reward(reply(swapped), require_balanced=False).score == 1.0
    assert tag_count_reward(reply("<answer>b"), required_tags=["answer"]).score == 0.0
    assert (
        tag_count_reward(reply("<answer>b"), required_tags=["answer"], require_balanced=False).score
        == 1.0
    )


def test_prefilled_think_counts_as_opened() -> None:
    assert tag_count_reward(reply("reasoning</think><answer>b</answer>")).score == 1.0


def test_custom_tags() -> None:
    text = "<plan>p</plan><code>c</code>"
    assert tag_count_reward(reply(text), required_tags=["plan", "code"]).score == 1.0
    assert tag_count_reward(reply(text), required_tags=["plan", "test"]).score == 0.0


@pytest.mark.parametrize("tags", [[], "think", ["<think>"], ["a b"]])
def test_bad_required_tags_are_invalid(tags: object) -> None:
    result = tag_count_reward(reply("x"), required_tags=tags)
    assert not result.is_score_valid and "required_tags" in result.error


@pytest.mark.parametrize(
    "messages", MALFORMED_CONVERSATIONS.values(), ids=list(MALFORMED_CONVERSATIONS)
)
def test_no_response_is_invalid(messages: list) -> None:
    assert not tag_count_reward(messages).is_score_valid


def test_reward_kit_metric_names() -> None:
    result = tag_count_reward(reply("<pros>a</pros> <cons>b</cons>"), tags=["pros", "cons"])
    assert result.metrics["tag_pros"].success and result.metrics["tag_cons"].success
    assert result.metrics["overall"].score == 1.0
