"""C and C++ code rewards: compiled by the host's g++/gcc and run in the local sandbox."""

from __future__ import annotations

import shutil

import pytest

from reward_kit.rewards.cpp_code import binary_cpp_code_reward, ioi_cpp_code_reward

pytestmark = pytest.mark.skipif(
    shutil.which("g++") is None or shutil.which("gcc") is None, reason="needs g++ and gcc"
)

ADD = (
    "#include <iostream>\n"
    "int main() { long a, b; std::cin >> a >> b; std::cout << a + b << std::endl; }"
)
TESTS = [
    {"input": "4\n5", "expected_output": "9"},
    {"input": "10\n20", "expected_output": "30"},
    {"input": "-3 3", "expected_output": "0"},
]


def program(code: str, tag: str = "cpp") -> list[dict[str, str]]:
    return [
        {"role": "user", "content": "Read two integers and print their sum."},
        {"role": "assistant", "content": f"<think>easy</think>\n```{tag}\n{code}\n```"},
    ]


def test_all_tests_pass() -> None:
    result = ioi_cpp_code_reward(program(ADD), ground_truth=TESTS)
    assert (result.score, result.is_score_valid) == (1.0, True)
    assert result.metrics["test_results"].success and result.metrics["pass_rate"].score == 1.0
    assert "std::cin" in result.metrics["extracted_code"].reason


def test_pass_rate_counts_every_test_and_binary_needs_all() -> None:
    wrong_sign = ADD.replace("a + b", "(a < 0 ? 1 : a + b)")
    result = ioi_cpp_code_reward(program(wrong_sign), test_cases=TESTS)
    assert result.score == pytest.approx(2 / 3) and result.is_score_valid
    assert not result.metrics["test_2"].success and not result.metrics["test_results"].success
    assert binary_cpp_code_reward(program(wrong_sign), test_cases=TESTS).score == 0.0
    assert binary_cpp_code_reward(program(ADD), test_cases=TESTS).score == 1.0
    lenient = binary_cpp_code_reward(program(wrong_sign), test_cases=TESTS, pass_threshold=0.6)
    assert lenient.score == 1.0


def test_c_and_expected_output() -> None:
    hello = '#include <stdio.h>\nint main(void) { printf("hello\\n"); return 0; }'
    assert (
        ioi_cpp_code_reward(program(hello, "c"), expected_output="hello", language="c").score == 1.0
    )
    assert ioi_cpp_code_reward(program(hello, "c"), ground_truth="bye", language="c").score == 0.0


def test_compile_error_and_timeout_are_wrong_answers() -> None:
    broken = ioi_cpp_code_reward(program("int main() { return x; }"), ground_truth=TESTS[:1])
    assert (broken.score, broken.is_score_valid) == (0.0, True)
    loop = "int main() { for (;;) {} }"
    slow = ioi_cpp_code_reward(program(loop), ground_truth=TESTS[:1], timeout=3000)
    assert (slow.score, slow.is_score_valid) == (0.0, True)


def test_bad_options_are_invalid_and_piston_options_warn() -> None:
    assert not ioi_cpp_code_reward(program(ADD), TESTS, language="rust").is_score_valid
    assert not ioi_cpp_code_reward(program(ADD), TESTS, timeout=0).is_score_valid
    assert not ioi_cpp_code_reward(program(ADD), None).is_score_valid
    with pytest.warns(UserWarning, match="piston_endpoint and version are not used"):
        result = ioi_cpp_code_reward(program(ADD), TESTS, piston_endpoint="http://piston:2000")
    assert result.score == 1.0
