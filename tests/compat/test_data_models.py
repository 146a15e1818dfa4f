"""Documentation page "Data Models Reference" (and the positional forms of the tutorials)."""

from __future__ import annotations

from tests.compat.conftest import RunScript


def test_messages_of_every_role_and_with_tool_calls(run_script: RunScript) -> None:
    out = run_script(
        """
        from reward_kit import Message

        question = Message(role="user", content="What makes the sky blue?")
        answer = Message(role="assistant", content="Rayleigh scattering of sunlight.")
        setup = Message(role="system", content="Answer in one sentence.")
        lookup = Message(
            role="assistant",
            content=None,
            tool_calls=[{
                "id": "call_1",
                "type": "function",
                "function": {"name": "lookup_city", "arguments": '{"city": "Oslo"}'},
            }],
        )
        print(question.role, answer.content, setup.role, lookup.tool_calls[0].function.name)
        """
    )
    assert out.split() == ["user", "Rayleigh", "scattering", "of", "sunlight.", "system",
                           "lookup_city"]  # fmt: skip


def test_evaluate_result_metrics_and_error_check(run_script: RunScript) -> None:
    out = run_script(
        """
        from reward_kit import EvaluateResult, MetricResult

        result = EvaluateResult(
            score=0.6,
            reason="Mostly right",
            metrics={
                "tone": MetricResult(score=0.9, reason="Polite", success=True),
                "facts": MetricResult(score=0.3, reason="One error", success=False),
            },
        )
        print(f"Tone score: {result.metrics['tone'].score}")
        if result.error:
            print(f"Evaluation error: {result.error}")
        else:
            print(f"Evaluation successful with score: {result.score}")
        """
    )
    assert out.splitlines() == ["Tone score: 0.9", "Evaluation successful with score: 0.6"]


def test_dict_messages_are_accepted_where_messages_are(run_script: RunScript) -> None:
    out = run_script(
        """
        from reward_kit import EvaluateResult, reward_function

        @reward_function
        def says_hello(messages, **kwargs):
            return EvaluateResult(score=float("hello" in messages[-1].content.lower()))

        conversation = [
            {"role": "user", "content": "Greet me"},
            {"role": "assistant", "content": "Hello there"},
        ]
        print(says_hello(messages=conversation).score)
        """
    )
    assert out.strip() == "1.0"


def test_results_built_positionally_as_the_tutorials_do(run_script: RunScript) -> None:
    out = run_script(
        """
        from reward_kit import EvaluateResult, MetricResult

        brevity = MetricResult(0.5, True, "about right")
        result = EvaluateResult(0.5, "short enough", {"brevity": brevity})
        print(result.score, result.reason, result.metrics["brevity"].reason)
        """
    )
    assert out.strip() == "0.5 short enough about right"


def test_reward_output_names_still_work_with_a_deprecation_warning(run_script: RunScript) -> None:
    out = run_script(
        """
        import warnings
        warnings.simplefilter("error")
        try:
            from reward_kit import RewardOutput
        except DeprecationWarning as warning:
            print("warned:", warning)
        warnings.simplefilter("ignore")
        from reward_kit import MetricRewardOutput, RewardOutput

        result = RewardOutput(score=0.25, metrics={"m": MetricRewardOutput(score=0.25, reason="r")})
        print(result.score)
        """
    )
    assert "warned: RewardOutput is deprecated: use EvaluateResult" in out
    assert out.splitlines()[-1] == "0.25"
