"""Parsing and equivalence, in-process (the worker side of math_reward)."""

import pytest

from reward_kit.rewards._math.lists import check_list, split_items
from reward_kit.rewards._math.worker import check_math

EQUIVALENT = [
    ("The total is $1,234.", "1234"),
    ("\\boxed{\\$1,234}", "1234"),
    ("\\boxed{1\\,234}", "1234"),
    ("The answer is **\\$1,234**.", "1234"),
    ("**Final Answer:** 1234", "1234"),
    ("#### 1234.00", "1234"),
    ("#### 18 dollars", "18"),
    ("So she pays 18 dollars.", "18"),
    ("Answer: 3/4", "0.75"),
    ("\\boxed{\\frac{3}{4}}", "0.75"),
    ("\\boxed{\\dfrac{1}{2}}", "\\frac{1}{2}"),
    ("\\boxed{2\\sqrt{2}}", "\\sqrt{8}"),
    ("\\boxed{\\frac{\\sqrt{3}}{2}}", "\\frac{1}{2}\\sqrt{3}"),
    ("\\boxed{e^{2}}", "e^2"),
    ("\\boxed{2\\pi}", "6.283185"),
    ("\\boxed{\\sqrt{2}}", "1.414214"),
    ("The answer is 6.02 \\times 10^{23}", "6.02e23"),
    ("\\boxed{6.02 \\times 10^{23}}", "602000000000000000000000"),
    ("\\boxed{1e-3}", "0.001"),
    ("Answer: \u22127", "-7"),
    ("\\boxed{\\pm 2}", "x=2 \\text{ or } x=-2"),
    ("So $x=2$ or $x=-2$.\nAnswer: $x=2$ or $x=-2$", "\\pm 2"),
    ("\\boxed{(1,2]}", "(1,2]"),
    ("\\boxed{(3, 4)}", "(3,4)"),
    ("\\boxed{\\{3, 4\\}}", "\\{4, 3\\}"),
    ("\\boxed{x^2-1}", "(x-1)(x+1)"),
    ("\\boxed{\\sin^2 x + \\cos^2 x}", "1"),
    ("\\boxed{2^{64}}", "18446744073709551616"),
    ("\\boxed{\\frac{1}{2004!}}", "\\frac{1}{2004!}"),
    ("\\boxed{1 - \\frac{1}{e}}", "1-e^{-1}"),
    ("\\boxed{0.333333}", "\\frac13"),
    ("\\boxed{1000.0}", "1000"),
    ("\\boxed{50\\%}", "0.5"),
    ("\\boxed{x = 5}", "5"),
    ("\\boxed{\\text{Monday}}", "\\text{Monday}"),
    ("\\boxed{\\infty}", "\\infty"),
    ("\\boxed{3+2i}", "3+2i"),
    ("\\boxed{\\begin{pmatrix}1\\\\2\\end{pmatrix}}", "\\begin{pmatrix}1\\\\2\\end{pmatrix}"),
    ("The final answer is 12 apples.", "Tom buys 3 bags of 4.\n#### 12"),
]

NOT_EQUIVALENT = [
    # math-verify's own false positives (rounding hides the difference)
    ("\\boxed{\\frac{1}{2006!}}", "\\frac{1}{2004!}"),
    ("\\boxed{1+\\frac{1}{e}}", "1-\\frac{1}{e}"),
    ("\\boxed{3}", "\\pm 3"),
    ("\\boxed{\\pm 3}", "3"),
    ("\\boxed{\\frac{1}{2^{98}}}", "\\frac{1}{2^{99}}"),
    ("\\boxed{1001}", "1000"),
    ("#### 999", "1000"),
    ("\\boxed{10^{100}+1}", "10^{100}"),
    ("\\boxed{1.5 \\times 10^{-10}}", "2.5 \\times 10^{-10}"),
    ("\\boxed{0.0000012}", "0.0000013"),
    ("\\boxed{1000.5}", "1000"),
    # other near misses
    ("\\boxed{\\pi}", "3.14"),
    ("The answer is 2 pi.", "2"),
    ("\\boxed{\\frac{1}{3}}", "0.3333"),
    ("\\boxed{(1,2)}", "[1,2]"),
    ("\\boxed{[1,2]}", "[1,2)"),
    ("\\boxed{(4, 3)}", "(3,4)"),
    ("\\boxed{x^2+1}", "(x-1)(x+1)"),
    ("\\boxed{y=5}", "x=5"),
    ("\\boxed{Tuesday}", "Monday"),
    ("\\boxed{-\\infty}", "\\infty"),
    ("\\boxed{3-2i}", "3+2i"),
    ("\\boxed{\\begin{pmatrix}1\\\\3\\end{pmatrix}}", "\\begin{pmatrix}1\\\\2\\end{pmatrix}"),
    # gaming: hedging or listing candidates
    ("\\boxed{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}", "7"),
    ("1 2 3 4 5 6 7 8 9 10 11", "7"),
    ("\\boxed{7} or maybe \\boxed{8}", "7"),
    ("\\boxed{3 \\text{ or } 5}", "3"),
    ("\\boxed{3 \\pm 1}", "2"),
]


@pytest.mark.parametrize(("response", "gold"), EQUIVALENT)
def test_equivalent(response: str, gold: str) -> None:
    verdict = check_math(response, gold, percent_mode=False)
    assert verdict.error is None
    assert verdict.correct, verdict.reason


@pytest.mark.parametrize(("response", "gold"), NOT_EQUIVALENT)
def test_not_equivalent(response: str, gold: str) -> None:
    verdict = check_math(response, gold, percent_mode=False)
    assert verdict.error is None
    assert not verdict.correct, verdict.reason


@pytest.mark.parametrize(
    ("response", "gold", "percent_mode", "expected"),
    [
        ("\\boxed{25\\%}", "25", True, True),  # "what percent...?": 25% and 25 agree
        ("\\boxed{25}", "25\\%", False, True),  # a percent gold makes it a percent question
        ("\\boxed{0.25}", "25", True, False),
        ("25 percent", "25", True, True),
        ("\\boxed{25\\%}", "25", False, False),  # elsewhere 25% is 0.25
        ("\\boxed{25\\%}", "0.25", False, True),
        ("\\boxed{\\{1, 2\\}\\%}", "\\{0.01, 0.02\\}", False, True),  # a set in percent
        ("\\boxed{[1, 2]\\%}", "[0.01, 0.02]", False, True),
        ("\\boxed{x = 50\\%}", "0.5", False, True),
    ],
)
def test_percentages_follow_the_question(
    response: str, gold: str, percent_mode: bool, expected: bool
) -> None:
    assert check_math(response, gold, percent_mode=percent_mode).correct is expected


def test_tolerance_is_the_callers_explicit_choice() -> None:
    assert not check_math("\\boxed{3.14}", "\\pi", percent_mode=False).correct
    assert check_math("\\boxed{3.14}", "\\pi", percent_mode=False, tolerance=1e-3).correct
    assert check_math("\\boxed{1001}", "1000", percent_mode=False, absolute_tolerance=1).correct
    assert not check_math("\\boxed{1002}", "1000", percent_mode=False, absolute_tolerance=1).correct


def test_require_units() -> None:
    gold = "5 \\text{ cm}"
    assert check_math("\\boxed{5}", gold, percent_mode=False).correct
    missing = check_math("\\boxed{5}", gold, percent_mode=False, require_units=True)
    assert not missing.correct
    assert "cm" in missing.reason
    assert check_math("\\boxed{5\\text{ cm}}", gold, percent_mode=False, require_units=True).correct
    assert check_math("The answer is 5 cm.", gold, percent_mode=False, require_units=True).correct


def test_unparseable_gold_is_an_error_not_a_zero() -> None:
    verdict = check_math("\\boxed{4}", "\\frac{", percent_mode=False)
    assert verdict.error is not None
    assert "ground truth" in verdict.error


def test_identical_unparseable_text_still_matches() -> None:
    assert check_math("<answer>\\frac{1}{</answer>", "\\frac{1}{", percent_mode=False).correct


def test_no_answer_is_a_valid_zero() -> None:
    verdict = check_math("I cannot solve this.", "4", percent_mode=False)
    assert (verdict.correct, verdict.error) == (False, None)
    assert "no final answer" in verdict.reason


def test_metrics_record_what_was_compared() -> None:
    verdict = check_math("so \\boxed{\\frac{6}{8}}", "0.75", percent_mode=False)
    assert (verdict.extracted, verdict.method, verdict.gold) == ("\\frac{6}{8}", "boxed", "0.75")
    assert verdict.details["extracted_value"] == "3/4"


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("1, 2 and 3", ["1", "2", "3"]),
        ("\\{-1, \\frac{1}{2}\\}", ["-1", "\\frac{1}{2}"]),
        ("(1,2), (3,4)", ["(1,2)", "(3,4)"]),
        ("1,234; 5", ["1234", "5"]),
        ("2 \\text{ or } 3.", ["2", "3"]),
    ],
)
def test_split_items(text: str, items: list[str]) -> None:
    assert split_items(text) == items


def in_any_order(response: str, gold: list[str]) -> bool:
    return check_list(response, gold, order_matters=False, percent_mode=False).correct


def test_list_comparison() -> None:
    assert in_any_order("\\boxed{3, 1, 2}", ["1", "2", "3"])
    assert in_any_order("The roots are 0.5 and -1", ["-1", "\\frac12"])
    gold = ["1", "2", "3"]
    ordered = check_list("\\boxed{3, 1, 2}", gold, order_matters=True, percent_mode=False)
    assert not ordered.correct
    assert "position 1" in ordered.reason
    extra = check_list("\\boxed{1, 2, 3, 4}", gold, order_matters=False, percent_mode=False)
    assert not extra.correct
    assert "4 item(s)" in extra.reason
    assert not in_any_order("\\boxed{1, 1}", ["1", "2"])
