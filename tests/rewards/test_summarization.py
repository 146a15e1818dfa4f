"""Summarisation rewards, and the shortcuts they must not pay for."""

from __future__ import annotations

import pytest

from reward_kit.rewards.summarization import (
    fluency_reward,
    key_fact_recall_reward,
    length_gate_reward,
    summarization_reward,
)
from tests._servers.openai_stub import OpenAIStub

SOURCE = (
    "Northwind Traders reported its results for the third quarter on Tuesday. Revenue rose "
    "12 percent to 4.2 billion dollars, helped by strong demand for its cloud products in "
    "Europe. Operating costs grew more slowly than sales, and the operating margin widened to "
    "18 percent. The company said it would hire 2,000 engineers next year and open a new data "
    "centre in Dublin. Its chief executive, Maria Lopez, will step down in March after eight "
    "years; the board has started a search for her successor. Shares rose 5 percent in early "
    "trading. Analysts had expected revenue of 4.0 billion dollars. The company also raised "
    "its dividend by 3 cents and announced a buyback of 500 million dollars of stock. "
) * 2
FACTS = [
    "Revenue rose 12 percent to 4.2 billion dollars",
    "the operating margin widened to 18 percent",
    "Maria Lopez will step down in March",
]
GOOD = (
    "Northwind's revenue rose 12 percent to 4.2 billion dollars, the operating margin widened "
    "to 18 percent, and chief executive Maria Lopez will step down in March."
)


def conversation(summary: str) -> list[dict[str, str]]:
    return [
        {"role": "user", "content": f"Summarise in under 50 words:\n\n{SOURCE}"},
        {"role": "assistant", "content": summary},
    ]


def test_length_gate_hard_and_smooth() -> None:
    assert length_gate_reward(conversation(GOOD), max_length=50).score == 1.0
    long = " ".join(["word"] * 75)
    assert length_gate_reward(conversation(long), max_length=50).score == 0.0
    assert length_gate_reward(conversation(long), max_length=50, mode="smooth").score == 0.5
    tokens = length_gate_reward(conversation(GOOD), max_length=30, unit="tokens")
    assert tokens.score == 0.0 and "tokens" in tokens.reason
    counted = length_gate_reward(conversation(GOOD), unit="tokens", tokenizer=lambda t: t[:10])
    assert counted.score == 1.0 and counted.reason.startswith("10 tokens")
    assert not length_gate_reward(conversation(GOOD), unit="chars").is_score_valid


@pytest.mark.parametrize(
    ("match", "answer", "expected"),
    [
        ("exact", GOOD, 2 / 3),  # "Revenue" is capitalised in the fact, not in the summary
        ("normalized", GOOD.upper().replace(",", ";"), 1.0),
        ("normalized", "Revenue rose 12 percent to 4.2 billion.", 0.0),
        ("rouge", "Revenue grew 12 percent, to 4.2 billion dollars. Lopez leaves in March.", 1 / 3),
    ],
)
def test_key_fact_recall_by_match(match: str, answer: str, expected: float) -> None:
    result = key_fact_recall_reward(conversation(answer), ground_truth=FACTS, match=match)
    assert result.score == pytest.approx(expected), result.metrics


def test_facts_from_bullets_or_a_reference() -> None:
    bullets = "\n".join(f"- {fact}" for fact in FACTS)
    assert key_fact_recall_reward(conversation(GOOD), ground_truth=bullets).score == 1.0
    reference = "Revenue rose 12 percent to 4.2 billion dollars. Shares rose 5 percent."
    result = key_fact_recall_reward(conversation(GOOD), ground_truth=reference)
    assert result.score == 0.5 and set(result.metrics) == {"fact_0", "fact_1"}
    assert not key_fact_recall_reward(conversation(GOOD), ground_truth=[]).is_score_valid


def test_a_good_summary_scores_high() -> None:
    result = summarization_reward(conversation(GOOD), ground_truth={"key_facts": FACTS})
    assert result.score == 1.0, result.reason
    with_reference = summarization_reward(
        conversation(GOOD), ground_truth={"key_facts": FACTS, "reference": GOOD.lower()}
    )
    assert with_reference.score == pytest.approx(1.0)


@pytest.mark.parametrize("summary", ["", "   "])
def test_an_empty_summary_scores_zero(summary: str) -> None:
    for reward in (length_gate_reward, summarization_reward):
        result = reward(conversation(summary), ground_truth=FACTS)
        assert result.score == 0.0 and result.is_score_valid
    assert key_fact_recall_reward(conversation(summary), ground_truth=FACTS).score == 0.0
    assert fluency_reward(conversation(summary), scorer=lambda text: 1.0).score == 0.0


def test_all_facts_in_one_repeated_line_do_not_pay() -> None:
    line = (
        "revenue rose 12 percent to 4.2 billion dollars the operating margin widened to 18 percent "
    )
    line += "Maria Lopez will step down in March."
    stuffed = "\n".join([line] * 4)
    assert key_fact_recall_reward(conversation(stuffed), ground_truth=FACTS).score == 1.0
    result = summarization_reward(conversation(stuffed), ground_truth=FACTS, mode="smooth")
    assert result.metrics["uniqueness"].score == 0.25
    assert result.score <= 0.25
    once = summarization_reward(conversation(line), ground_truth=FACTS)
    assert once.score > result.score


def test_a_copy_of_the_source_scores_zero() -> None:
    copied = summarization_reward(conversation(SOURCE), ground_truth=FACTS)
    assert copied.score == 0.0 and "source" in copied.metrics["length"].reason
    smooth = summarization_reward(conversation(SOURCE), ground_truth=FACTS, mode="smooth",
                                  max_length=500)  # fmt: skip
    assert smooth.score == 0.0
    first_half = SOURCE[: len(SOURCE) // 2]
    assert summarization_reward(conversation(first_half), ground_truth=FACTS).score == 0.0


def test_fluency_from_a_callable_sync_or_async() -> None:
    assert fluency_reward(conversation(GOOD), scorer=lambda text: 0.8).score == 0.8

    async def judge(text: str) -> float:
        return 0.25

    assert fluency_reward(conversation(GOOD), scorer=judge).score == 0.25
    assert not fluency_reward(conversation(GOOD), scorer=lambda text: 7).is_score_valid
    assert not fluency_reward(conversation(GOOD)).is_score_valid


def test_fluency_from_a_model_over_http(openai_stub: OpenAIStub) -> None:
    openai_stub.responder = lambda request: "Reads naturally.\nSCORE: 8"
    options = {"base_url": openai_stub.url, "api_key_env": None}
    result = fluency_reward(conversation(GOOD), model="grader", **options)
    assert result.score == pytest.approx(0.8)
    prompt = openai_stub.chat_requests[0].json["messages"][1]["content"]
    assert "fluency" in prompt and GOOD in prompt
    combined = summarization_reward(
        conversation(GOOD), ground_truth=FACTS, fluency_model="grader", **options
    )
    assert combined.score == pytest.approx((1.0 + 0.8) / 2)
    weighted = summarization_reward(
        conversation(GOOD), ground_truth=FACTS, fluency_model="grader",
        weights={"facts": 3, "fluency": 1}, **options,
    )  # fmt: skip
    assert weighted.score == pytest.approx((3 + 0.8) / 4)
