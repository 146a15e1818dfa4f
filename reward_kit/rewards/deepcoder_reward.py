"""DeepCoder-style reward: 1.0 only if the response's code passes every test."""

from __future__ import annotations

from typing import Any

from reward_kit.models import EvaluateResult, Message, MetricResult
from reward_kit.rewards._code._score import run_tests
from reward_kit.rewards._options import check_options
from reward_kit.typed_interface import reward_function

__all__ = ["deepcoder_code_reward"]


def _target_function(ground_truth: Any, target_function: str | None) -> str | None:
    """The function to call: given, or from LiveCodeBench-style ``functional`` tests' metadata."""
    if target_function or not isinstance(ground_truth, list):
        return target_function
    for test in ground_truth:
        if isinstance(test, dict) and test.get("testtype") == "functional":
            name = (test.get("metadata") or {}).get("func_name")
            if isinstance(name, str):
                return name
    return None


@reward_function(id="deepcoder_code_reward")
@check_options
async def deepcoder_code_reward(
    messages: list[Message],
    ground_truth: Any,
    language: str = "python",
    timeout: float = 10,
    environment: str = "local",
    api_key: str | None = None,
    target_function: str | None = None,
    **kwargs: Any,
) -> EvaluateResult:
    """Sparse reward for RL on code: 1.0 if all tests pass, else 0.0 (per-test metrics kept).

    Args:
        ground_truth: a list of ``{"input", "expected_output"}`` (or ``"output"``) tests, as
            for :func:`~reward_kit.rewards.code_execution.fractional_code_reward`.
        timeout: seconds per test (reward-kit's default, 10: DeepCoder used 6-12 s).
        target_function: call this function with each input instead of feeding stdin.

    Returns:
        Per-test metrics ``test_<i>``, ``pass_rate``, ``extracted_code`` and
        ``overall_status`` (1.0 only when every test passes).
    """
    function = _target_function(ground_truth, target_function)
    result = await run_tests(
        messages, ground_truth, language, timeout, environment, function, api_key
    )
    if not result.is_score_valid:
        return result
    all_passed = result.score == 1.0
    verdict = "all tests passed" if all_passed else "not all tests passed"
    status = MetricResult(score=float(all_passed), reason=verdict, success=all_passed)
    return EvaluateResult(
        score=1.0 if all_passed else 0.0,
        reason=f"{result.reason}; reward only when all pass",
        metrics={**result.metrics, "overall_status": status},
    )
