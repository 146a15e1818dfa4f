"""reward-kit's "Accuracy + Length Reward Examples" page, and the accuracy examples of its
"Reward Functions Overview" and "Basic Reward Function" pages, run as written (our words).

The page's script evaluates four answers to "What is the capital of France?" with
``max_length=100``, reward-kit's range options and a city-name extractor, and prints a table of
combined, accuracy and length scores; the test checks every value of that table.
"""

from __future__ import annotations

import pytest

from reward_kit.rewards.accuracy import accuracy_reward
from reward_kit.rewards.accuracy_length import cosine_scaled_accuracy_length_reward
from tests.compat.conftest import RunScript

SCRIPT = """
from reward_kit.rewards.accuracy_length import cosine_scaled_accuracy_length_reward

def city(text):
    if "Lyon is the capital" in text or "believe Lyon is the capital" in text:
        return "Lyon"
    for name in ["Paris", "Lyon", "Marseille", "Toulouse", "Nice"]:
        if name in text:
            return name
    return ""

question = {"role": "user", "content": "What is the capital of France?"}
answers = {
    "Short Correct Answer": "Paris.",
    "Long Correct Answer": (
        "The capital of France is Paris. Paris is located in the north-central "
        "part of the country on the Seine River. It is the largest city in France "
        "and serves as the country's political, cultural, and economic center. "
        "Paris is known for landmarks such as the Eiffel Tower, Louvre Museum, "
        "Notre-Dame Cathedral, and Arc de Triomphe. The city has a population "
        "of about 2.2 million people in the city proper."
    ),
    "Short Incorrect Answer": "Lyon.",
    "Long Incorrect Answer": (
        "I need to identify the capital city of France. France is a country in "
        "Western Europe. The largest cities in France include Paris, Marseille, "
        "Lyon, Toulouse, and Nice. Among these, I believe Lyon is the capital "
        "city of France, as it's centrally located and historically significant."
    ),
}

def show(label, text, **overrides):
    options = dict(max_length=100, min_value_wrong=0.0, max_value_wrong=0.3,
                   min_value_correct=0.5, max_value_correct=1.0,
                   correctness_weight=0.7, length_weight=0.3, extract_fn=city)
    options.update(overrides)
    result = cosine_scaled_accuracy_length_reward(
        messages=[question, {"role": "assistant", "content": text}],
        ground_truth=[{"role": "assistant", "content": "Paris"}], **options)
    print(f"{label}: words={len(text.split())} combined={result['score']:.2f} "
          f"accuracy={result['metrics']['accuracy']['score']:.2f} "
          f"length={result['metrics']['length']['score']:.2f}")

for label, text in answers.items():
    show(label, text)
show("Custom weights", answers["Short Correct Answer"], correctness_weight=0.8, length_weight=0.2)
"""

EXPECTED = [
    "Short Correct Answer: words=1 combined=1.00 accuracy=1.00 length=1.00",
    "Long Correct Answer: words=69 combined=0.88 accuracy=1.00 length=0.61",
    "Short Incorrect Answer: words=1 combined=0.00 accuracy=0.00 length=0.00",
    "Long Incorrect Answer: words=46 combined=0.04 accuracy=0.00 length=0.13",
    "Custom weights: words=1 combined=1.00 accuracy=1.00 length=1.00",
]


def test_expected_output_table(run_script: RunScript) -> None:
    assert run_script(SCRIPT).splitlines() == EXPECTED


def convo(answer: str) -> list[dict[str, str]]:
    return [
        {"role": "user", "content": "What is the capital of France?"},
        {"role": "assistant", "content": answer},
    ]


def test_custom_configuration_options() -> None:
    result = cosine_scaled_accuracy_length_reward(
        messages=convo("The capital of France is Paris."),
        ground_truth="Paris",
        max_length=500,
        correctness_weight=0.7,
        length_weight=0.3,
        min_value_correct=0.5,
        max_value_correct=1.0,
        min_value_wrong=0.0,
        max_value_wrong=0.3,
        token_method="whitespace",
    )
    assert result.is_score_valid and result.score > 0.95
    assert {"combined_reward", "accuracy", "length"} <= set(result.metrics)


@pytest.mark.parametrize(
    "answer", ["Lyon.", "I am fairly sure that the capital of France is Lyon. " * 20]
)
def test_wrong_answers_never_go_negative(answer: str) -> None:
    result = cosine_scaled_accuracy_length_reward(
        messages=convo(answer), ground_truth="Paris", max_length=200
    )
    assert result.is_score_valid and 0.0 <= result.score < 0.1


def test_compare_fn_is_passed_on() -> None:
    def same_city(answer: str, reference: str) -> bool:
        return answer.strip(" .").lower() == reference.lower()

    result = cosine_scaled_accuracy_length_reward(
        messages=convo("PARIS"), ground_truth="Paris", compare_fn=same_city, max_length=100
    )
    assert result.metrics["accuracy"].score == 1.0


def test_accuracy_reward_finds_a_sentence_answer() -> None:
    assert (
        accuracy_reward(
            messages=convo("The capital of France is Paris."), ground_truth="Paris"
        ).score
        == 1.0
    )
    assert (
        accuracy_reward(messages=convo("It is Lyon, not Paris."), ground_truth="Paris").score == 0.0
    )
    listed = convo("The capital of France is Paris, Lyon or Nice.")
    assert accuracy_reward(messages=listed, ground_truth="Paris").score == 0.0
