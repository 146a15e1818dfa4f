"""Documentation pages "reward_function Decorator Reference", "Reward Function Anatomy",
"Basic Reward Function" and "Getting Started with Reward Functions" (local parts)."""

from __future__ import annotations

from tests.compat.conftest import RunScript


def test_word_count_reward_with_typed_dict_messages(run_script: RunScript) -> None:
    # Decorator page, "Basic Usage"; Getting Started, "Testing Your Reward Function".
    out = run_script(
        """
        from typing import Dict, List, Optional
        from reward_kit import EvaluateResult, MetricResult, reward_function

        @reward_function
        def word_count_reward(
            messages: List[Dict[str, str]],
            original_messages: Optional[List[Dict[str, str]]] = None,
            **kwargs,
        ) -> EvaluateResult:
            words = len(messages[-1].get("content", "").split())
            score = min(words / 100.0, 1.0)
            return EvaluateResult(
                score=score,
                reason=f"{words} words",
                metrics={"word_count": MetricResult(score=score, success=words > 10,
                                                    reason=f"Word count: {words}")},
            )

        test_messages = [
            {"role": "user", "content": "What is machine learning?"},
            {"role": "assistant", "content": "Learning patterns from data instead of rules."},
        ]
        result = word_count_reward(messages=test_messages)
        print(f"Score: {result.score}")
        print(f"Explanation: {result.metrics['word_count'].reason}")
        """
    )
    assert out.splitlines() == ["Score: 0.07", "Explanation: Word count: 7"]


def test_original_messages_defaults_to_the_prompt(run_script: RunScript) -> None:
    # Anatomy page, "Optional Parameters": original_messages defaults to messages[:-1].
    out = run_script(
        """
        from reward_kit import EvaluateResult, reward_function

        @reward_function
        def echoes_question(messages, original_messages=None, **kwargs):
            question = original_messages[-1]["content"]
            return EvaluateResult(score=float(question in messages[-1]["content"]))

        conversation = [
            {"role": "user", "content": "capital of France"},
            {"role": "assistant", "content": "The capital of France is Paris."},
        ]
        print(echoes_question(messages=conversation).score)
        """
    )
    assert out.strip() == "1.0"


def test_metadata_configures_the_evaluation(run_script: RunScript) -> None:
    # Anatomy page, "Working with Metadata"; decorator page, "Using Metadata".
    out = run_script(
        """
        from reward_kit import EvaluateResult, MetricResult, reward_function

        @reward_function
        def configurable_evaluation(messages, original_messages=None, metadata=None, **kwargs):
            metadata = metadata or {}
            min_length = metadata.get("min_length", 50)
            weight = metadata.get("weight_factor", 1.0)
            length = len(messages[-1]["content"])
            base = min(length / min_length, 1.0)
            return EvaluateResult(score=base * weight, metrics={
                "length": MetricResult(score=base, reason=f"{length} characters")})

        test_messages = [
            {"role": "user", "content": "Describe a cat"},
            {"role": "assistant", "content": "x" * 50},
        ]
        result = configurable_evaluation(
            messages=test_messages, metadata={"min_length": 100, "weight_factor": 1.2}
        )
        print(result.score)
        """
    )
    assert out.strip() == "0.6"


def test_legacy_tuple_return_is_read_with_a_warning(run_script: RunScript) -> None:
    # Decorator page, "Legacy tuple format (also supported)".
    out = run_script(
        """
        import warnings
        from reward_kit import reward_function

        @reward_function
        def legacy(messages, **kwargs):
            return 0.75, {"clarity": 0.8, "accuracy": 0.7}

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = legacy(messages=[{"role": "user", "content": "q"},
                                      {"role": "assistant", "content": "a"}])
        print(result.score, result.metrics["clarity"].score, caught[0].category.__name__)
        """
    )
    assert out.strip() == "0.75 0.8 DeprecationWarning"


def test_multi_component_reward_with_the_old_names(run_script: RunScript) -> None:
    # Anatomy page, "Multi-Component Reward Functions" and "Error Handling" (RewardOutput).
    out = run_script(
        """
        import warnings
        warnings.simplefilter("ignore", DeprecationWarning)
        from reward_kit import reward_function, RewardOutput, MetricRewardOutput

        def evaluate_clarity(text):
            return 1.0 if len(text.split()) < 20 else 0.5

        def evaluate_accuracy(text):
            return 1.0 if "Paris" in text else 0.0

        @reward_function
        def comprehensive_evaluation(messages, original_messages=None, **kwargs):
            if not messages or messages[-1].get("role") != "assistant":
                return RewardOutput(score=0.0, metrics={"error": MetricRewardOutput(
                    score=0.0, reason="No assistant response found")})
            response = messages[-1]["content"]
            clarity, accuracy = evaluate_clarity(response), evaluate_accuracy(response)
            return RewardOutput(score=clarity * 0.4 + accuracy * 0.6, metrics={
                "clarity": MetricRewardOutput(score=clarity, reason=f"Clarity {clarity:.2f}"),
                "accuracy": MetricRewardOutput(score=accuracy, reason=f"Accuracy {accuracy:.2f}"),
            })

        good = comprehensive_evaluation(messages=[
            {"role": "user", "content": "Capital of France?"},
            {"role": "assistant", "content": "Paris."}])
        missing = comprehensive_evaluation(messages=[{"role": "user", "content": "Hi"}])
        print(good.score, sorted(good.metrics), missing.metrics["error"].reason)
        """
    )
    assert out.strip() == "1.0 ['accuracy', 'clarity'] No assistant response found"


def test_simple_accuracy_on_plain_strings(run_script: RunScript) -> None:
    # "Basic Reward Function": a response/expected_response function returning a float,
    # called directly, on conversations, and over a small dataset.
    out = run_script(
        """
        from reward_kit import reward_function

        @reward_function
        def simple_accuracy(response: str, expected_response: str) -> float:
            return 1.0 if response.strip().lower() == expected_response.strip().lower() else 0.0

        print(simple_accuracy("Paris", " paris ").score)
        chat = [{"role": "user", "content": "Capital of Italy?"},
                {"role": "assistant", "content": "Rome"}]
        print(simple_accuracy(messages=chat, ground_truth="rome").score)
        dataset = [("Rome", "rome"), ("Oslo", "Bergen"), ("Lima", "lima")]
        scores = [simple_accuracy(answer, expected).score for answer, expected in dataset]
        print(sum(scores) / len(scores))
        """
    )
    assert out.split() == ["1.0", "1.0", "0.6666666666666666"]


def test_a_function_that_cannot_see_the_response_is_refused(run_script: RunScript) -> None:
    out = run_script(
        """
        from reward_kit import reward_function
        try:
            @reward_function
            def wrong(text):
                return 1.0
        except TypeError as error:
            print(type(error).__name__)
        """
    )
    assert out.strip() == "InvalidRewardFunctionError"
