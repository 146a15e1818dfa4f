"""reward-kit's "Reward Functions Overview" pages (the Fireworks page's short names, and the
package page's examples per family), run as written in our own words: documented metric keys,
the names the page lists, and the helpers each family exports.
"""

from __future__ import annotations

import pytest

from reward_kit._registry import resolve_reward
from reward_kit.rewards import (
    diversity_reward,
    format_reward,
    language_consistency_reward,
    multiple_choice_math_reward,
    reasoning_steps_reward,
    sequence_reward,
    tag_count_reward,
)
from reward_kit.rewards.accuracy import compare_math_expressions, normalize_text
from reward_kit.rewards.language_consistency import (
    count_words_by_language,
    detect_dominant_language,
)
from reward_kit.rewards.length import count_tokens
from reward_kit.rewards.list_comparison_math_reward import (
    extract_number_list,
    parse_number_list_from_string,
)
from reward_kit.rewards.multiple_choice_math_reward import extract_mcq_option
from reward_kit.rewards.repetition import get_ngrams


def convo(answer: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": "Explain."}, {"role": "assistant", "content": answer}]


REASONED = convo(
    "<think>\nStep 1: list the facts.\nStep 2: compare them.\nStep 3: decide.\n</think>\n"
    "<answer>\nThe answer is (B).\n</answer>"
)


@pytest.mark.parametrize(
    ("reward", "options", "key"),
    [
        (format_reward, {}, "format_check"),
        (tag_count_reward, {"tags": ["think", "answer"]}, "tag_count"),
        (tag_count_reward, {"tags": ["think", "answer"]}, "overall"),
        (reasoning_steps_reward, {"min_steps": 3}, "reasoning_steps"),
        (language_consistency_reward, {"target_language": "english"}, "language_consistency"),
        (diversity_reward, {}, "diversity"),
        (multiple_choice_math_reward, {"ground_truth": "B"}, "mcq_comparison"),
    ],
)
def test_documented_metric_keys(reward: object, options: dict[str, object], key: str) -> None:
    result = reward(messages=REASONED, **options)  # type: ignore[operator]
    assert result.is_score_valid and key in result.metrics


@pytest.mark.parametrize(
    "name",
    [
        "accuracy",
        "fuzzy_accuracy",
        "length",
        "length_penalty",
        "json_schema",
        "format_compliance",
        "code_execution",
        "syntax_validation",
    ],
)
def test_overview_names_are_registered(name: str) -> None:
    assert callable(resolve_reward(name))


def test_fuzzy_accuracy_and_syntax_validation() -> None:
    fuzzy = resolve_reward("fuzzy_accuracy")
    assert fuzzy(messages=convo("The capital is Pariss."), ground_truth="Paris").score == 1.0
    assert fuzzy(messages=convo("The capital is Lyon."), ground_truth="Paris").score == 0.0
    syntax = resolve_reward("syntax_validation")
    assert syntax(messages=convo("```python\nx = [1, 2]\n```")).score == 1.0
    assert syntax(messages=convo("```python\nx = [1, 2\n```")).score == 0.0


def test_sequence_reward() -> None:
    ordered = convo("First we read. Second we plan. Finally we act.")
    assert sequence_reward(messages=ordered).score == 1.0
    shuffled = convo("Finally we act. Second we plan. First we read.")
    assert sequence_reward(messages=shuffled).score == 0.0
    custom = sequence_reward(
        messages=convo("gather, then sort"), sequence_terms=["gather", "sort"], min_matches=2
    )
    assert custom.score == 1.0


def test_family_helpers() -> None:
    assert count_tokens("one two three") == 3
    assert count_tokens("abc", method="character") == 3
    assert get_ngrams("to be or not to be", 2).count(("to", "be")) == 2
    assert detect_dominant_language("Das ist ein schöner Tag in Berlin, nicht wahr?")[0] == "de"
    counts = count_words_by_language("Good morning to you all. Buenos días a todos ustedes.")
    assert set(counts) == {"en", "es"}
    assert parse_number_list_from_string("1, 2, 3.5") == [1.0, 2.0, 3.5]
    assert parse_number_list_from_string("1, two") is None
    assert extract_number_list("The roots are \\boxed{-1, 4}.") == [[-1.0, 4.0]]
    assert extract_mcq_option("I pick (D) because of the sign.")[0][1] == "D"
    assert extract_mcq_option("Either A or C, hard to say.") == []
    assert normalize_text("  The Eiffel Tower. ") == "eiffel tower"
    assert compare_math_expressions("\\frac{3}{4}", "0.75") == 1.0
    assert compare_math_expressions("0.74", "0.75") == 0.0


def test_format_reward_with_the_pages_pattern_and_flags() -> None:
    import re

    page_pattern = r"^<think>\n.*?</think>\n<answer>\n.*?</answer>$"
    good = convo("<think>\nadd 2 and 2\n</think>\n<answer>\n4\n</answer>")
    result = format_reward(messages=good, pattern=page_pattern, flags=re.DOTALL)
    assert result.score == 1.0
    # The pattern is the one used: this layout passes the default, not the page's pattern.
    one_line = convo("<think>add</think><answer>4</answer>")
    assert format_reward(messages=one_line).score == 1.0
    assert format_reward(messages=one_line, pattern=page_pattern, flags=re.DOTALL).score == 0.0
    # The flags too: without DOTALL, `.` stops at the line break inside <think>.
    assert format_reward(messages=good, pattern=page_pattern, flags=0).score == 0.0


def test_binary_code_reward_with_expected_output() -> None:
    from reward_kit.rewards.code_execution import binary_code_reward

    right = convo("```python\nprint('expected result')\n```")
    result = binary_code_reward(
        messages=right, expected_output="expected result", language="python"
    )
    assert result.is_score_valid and result.score == 1.0
    wrong = convo("```python\nprint('something else')\n```")
    result = binary_code_reward(
        messages=wrong, expected_output="expected result", language="python"
    )
    assert result.is_score_valid and result.score == 0.0


def test_cosine_length_reward_as_on_the_page() -> None:
    from reward_kit.rewards.length import cosine_length_reward

    result = cosine_length_reward(
        messages=convo("Paris."),
        correctness=0.9,
        max_length=500,
        min_value_correct=0.5,
        max_value_correct=1.0,
    )
    assert result.is_score_valid and 0.99 < result.score <= 1.0
    assert {"cosine_length", "token_count", "correctness"} <= set(result.metrics)
    # The reward-kit names move the ends of the ranges.
    capped = cosine_length_reward(messages=convo("Paris."), is_correct=True, max_value_correct=0.8)
    assert capped.score == pytest.approx(0.8, abs=1e-3)
    wrong = cosine_length_reward(
        messages=convo("Lyon."), is_correct=False, min_value_wrong=-1.0, max_value_wrong=-0.5
    )
    assert wrong.score == pytest.approx(-1.0, abs=1e-3)


def test_cpp_rewards_as_on_the_page() -> None:
    import shutil

    if shutil.which("g++") is None:
        pytest.skip("needs g++")
    from reward_kit.rewards.cpp_code import binary_cpp_code_reward, ioi_cpp_code_reward

    code = "#include <iostream>\nint main(){int a,b;std::cin>>a>>b;std::cout<<a+b<<std::endl;}"
    messages = convo(f"```cpp\n{code}\n```")
    result = ioi_cpp_code_reward(
        messages=messages,
        test_cases=[
            {"input": "4\n5", "expected_output": "9"},
            {"input": "10\n20", "expected_output": "30"},
        ],
        language="cpp",  # or "c"
    )
    assert result.score == 1.0 and result.is_score_valid
    result = binary_cpp_code_reward(
        messages=messages, test_cases=[{"input": "4\n5", "expected_output": "9"}], language="cpp"
    )
    assert result.score == 1.0
