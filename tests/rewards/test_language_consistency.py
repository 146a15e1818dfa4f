"""Tests of reward_kit.rewards.language_consistency."""

from __future__ import annotations

import pytest

from reward_kit.rewards.language_consistency import language_consistency_reward
from tests.rewards.conversations import MALFORMED_CONVERSATIONS, reply

FRENCH_PROMPT = "Quelle est la capitale de la France ? Réponds en une phrase complète."
ENGLISH_PROMPT = "What is the capital of France? Answer in one full sentence please."


def test_response_in_the_prompts_language_passes() -> None:
    french = "La capitale de la France est Paris. Elle se trouve au bord de la Seine."
    result = language_consistency_reward(reply(french, prompt=FRENCH_PROMPT))
    assert result.score == 1.0
    assert "target fr (from prompt)" in result.reason


def test_response_in_another_language_fails() -> None:
    english = "The capital of France is Paris. It lies on the river Seine."
    result = language_consistency_reward(reply(english, prompt=FRENCH_PROMPT))
    assert result.score == 0.0 and result.is_score_valid
    assert result.metrics["dominant_language"].reason.startswith("en")


def test_explicit_target_overrides_the_prompt() -> None:
    german = "Die Hauptstadt von Frankreich ist Paris. Sie liegt an der Seine."
    assert (
        language_consistency_reward(
            reply(german, prompt=ENGLISH_PROMPT), target_language="de-DE"
        ).score
        == 1.0
    )
    assert language_consistency_reward(reply(german, prompt=ENGLISH_PROMPT)).score == 0.0


def test_language_mixing_in_reasoning_is_caught() -> None:
    mixed = (
        "<think>We need the capital of France. 我记得法国的首都是巴黎，这是一个非常著名的城市，"  # noqa: RUF001
        "所以答案应该是巴黎。</think> The capital of France is Paris."
    )
    assert language_consistency_reward(reply(mixed, prompt=ENGLISH_PROMPT)).score == 0.0
    outside = language_consistency_reward(
        reply(mixed, prompt=ENGLISH_PROMPT), include_thinking=False
    )
    assert outside.score == 1.0


def test_partial_credit_is_the_consistency() -> None:
    mixed = (
        "The capital of France is Paris, a large city on the river Seine.\n"
        "La ville compte plus de deux millions d'habitants et beaucoup de musées célèbres."
    )
    result = language_consistency_reward(
        reply(mixed, prompt=ENGLISH_PROMPT), partial_credit=True, min_consistency=0.9
    )
    assert 0.2 < result.score < 0.8
    strict = language_consistency_reward(reply(mixed, prompt=ENGLISH_PROMPT), min_consistency=0.9)
    assert strict.score == 0.0


def test_code_and_math_do_not_count_as_language() -> None:
    text = (
        "Voici la fonction demandée, elle calcule la somme des carrés.\n"
        "```python\ndef sum_of_squares(values):\n    return sum(v * v for v in values)\n```\n"
        "Par exemple $\\sum_{i=1}^{n} i^2$ donne le résultat attendu."
    )
    prompt = "Écris une fonction Python qui calcule la somme des carrés d'une liste."
    assert language_consistency_reward(reply(text, prompt=prompt)).score == 1.0


def test_cjk_and_cyrillic_targets() -> None:
    chinese = "法国的首都是巴黎。巴黎位于塞纳河畔，是一座历史悠久的城市。"  # noqa: RUF001
    russian = "Столица Франции — Париж. Он расположен на реке Сене."
    assert language_consistency_reward(reply(chinese), target_language="zh-CN").score == 1.0
    assert language_consistency_reward(reply(russian), target_language="ru").score == 1.0
    assert language_consistency_reward(reply(russian), target_language="zh").score == 0.0


def test_response_without_prose_scores_zero() -> None:
    result = language_consistency_reward(reply("42"), target_language="en")
    assert result.score == 0.0 and result.is_score_valid and "no prose" in result.reason


def test_unknown_target_and_undetectable_prompt_are_invalid() -> None:
    bad_code = language_consistency_reward(reply("Hello there, friend."), target_language="xx")
    assert not bad_code.is_score_valid and "xx" in bad_code.error
    no_prompt = language_consistency_reward([{"role": "assistant", "content": "Hello there."}])
    assert not no_prompt.is_score_valid and "target_language" in no_prompt.error
    assert not language_consistency_reward(reply("Hello"), min_consistency=2).is_score_valid


@pytest.mark.parametrize(
    "messages", MALFORMED_CONVERSATIONS.values(), ids=list(MALFORMED_CONVERSATIONS)
)
def test_no_response_is_invalid(messages: list) -> None:
    assert not language_consistency_reward(messages, target_language="en").is_score_valid


def test_auto_detect_off_targets_english_and_reward_kit_metrics() -> None:
    french = "La capitale de la France est Paris, une très belle ville au bord de la Seine."
    messages = [
        {"role": "user", "content": FRENCH_PROMPT},
        {"role": "assistant", "content": french},
    ]
    detected = language_consistency_reward(messages)
    assert detected.score == 1.0
    assert detected.metrics["target_language"].reason == "fr (from prompt)"
    assert detected.metrics["fr_percentage"].score == 1.0
    english = language_consistency_reward(messages, auto_detect=False)
    assert english.is_score_valid and english.score == 0.0
    assert english.metrics["target_language"].reason.startswith("en ")
