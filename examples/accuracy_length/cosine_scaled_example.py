"""Accuracy and length together: ``cosine_scaled_accuracy_length_reward`` on four answers.

One question ("What is the capital of France?"), four responses: short and right, long and
right, short and wrong, long and wrong. A right answer always outscores a wrong one; among
right answers the shorter scores higher, and a long wrong answer scores lowest of all. The
answers are judged by the built-in ``accuracy_reward`` with the last word as the answer. The
second part weights accuracy more (0.8/0.2) and lets wrong answers score from 0.0 to 0.3
instead of below zero.

Run from the repository root: ``python examples/accuracy_length/cosine_scaled_example.py``.
"""

from __future__ import annotations

from typing import Any

from reward_kit.rewards.accuracy_length import cosine_scaled_accuracy_length_reward

QUESTION = "What is the capital of France?"
GROUND_TRUTH = "Paris"
RESPONSES = {
    "Short correct answer": "Paris",
    "Long correct answer": (
        "France is a country in Western Europe with a long history. Its largest city, home to "
        "the national government, the parliament and most ministries, sits on the river "
        "Seine in the north of the country. That city has been the seat of power for most "
        "of the last thousand years, through kingdoms, empires and five republics, and it "
        "is also the country's cultural and economic centre. So the answer is Paris"
    ),
    "Short incorrect answer": "Lyon",
    "Long incorrect answer": (
        "To answer this I think about the large French cities: Marseille on the "
        "Mediterranean, Lyon at the meeting of the Rhone and the Saone, Toulouse in the "
        "south west. Lyon was the capital of Roman Gaul, so the answer is Lyon"
    ),
}


def last_word(response: str) -> str | None:
    """The answer is the response's last word (the default extraction reads math answers)."""
    words = response.replace(".", " ").split()
    return words[-1] if words else None


def show(title: str, **options: Any) -> None:
    """Score every response with ``options`` and print the score and its two parts."""
    print(f"===== {title} =====")
    for label, text in RESPONSES.items():
        messages = [
            {"role": "user", "content": QUESTION},
            {"role": "assistant", "content": text},
        ]
        result = cosine_scaled_accuracy_length_reward(
            messages,
            ground_truth=GROUND_TRUTH,
            accuracy_fn="accuracy_reward",
            extract_fn=last_word,
            **options,
        )
        words = len(text.split())
        print(f"\n{label}:")
        print(f'Response ({words} words): "{text[:50]}..."')
        print(f"Combined Score: {result.score:.2f}")
        print(f"Accuracy Score: {result.metrics['accuracy'].score:.2f}")
        print(f"Length Score: {result.metrics['length'].score:.2f}")
    print()


show("Evaluating with Default Parameters", max_length=100)
show(
    "Evaluating with Custom Parameters (80% accuracy weight, 20% length weight)",
    max_length=100,
    accuracy_weight=0.8,
    length_weight=0.2,
)
