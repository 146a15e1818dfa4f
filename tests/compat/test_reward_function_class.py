"""Documentation pages "RewardFunction Class Reference", "reward-kit API reference" and
"Evaluation Workflows" (deploy, remote and TRL parts), against a local evaluator registry."""

from __future__ import annotations

import json
from pathlib import Path

from tests._servers.openai_stub import OpenAIStub
from tests.compat.conftest import ACCOUNT, RunScript

METRIC = """
from reward_kit import EvaluateResult, MetricResult, reward_function

@reward_function
def helpfulness_reward(messages, original_messages=None, **kwargs):
    text = messages[-1].get("content", "").lower()
    found = sum(word in text for word in ("help", "explain", "solve"))
    score = min(found / 3, 1.0)
    return EvaluateResult(score=score, metrics={
        "helpfulness": MetricResult(score=score, reason=f"Found {found} helpful keywords")})
"""


def _metric(folder: Path) -> None:
    (folder / "helpfulness").mkdir()
    (folder / "helpfulness" / "main.py").write_text(
        METRIC + "\n\n@reward_function\ndef evaluate(messages, **kwargs):\n"
        "    return helpfulness_reward(messages=messages)\n"
    )


def test_local_mode_with_a_plain_function(run_script: RunScript) -> None:
    out = run_script(
        """
        from reward_kit import EvaluateResult, MetricResult, RewardFunction

        def my_reward_fn(messages, **kwargs):
            size = len(messages[-1].get("content", ""))
            score = min(size / 100.0, 1.0)
            return EvaluateResult(score=score, reason=f"{size} characters", metrics={
                "length": MetricResult(score=score, success=size > 10, reason=f"{size}")})

        reward_fn = RewardFunction(func=my_reward_fn, mode="local")
        result = reward_fn(messages=[
            {"role": "user", "content": "Hello"},
            {"role": "assistant", "content": "Hi there! How can I help you today?"},
        ])
        print(f"Score: {result.score}")
        """
    )
    assert out.strip() == "Score: 0.35"


def test_api_overview_imports(run_script: RunScript) -> None:
    out = run_script(
        """
        from reward_kit.reward_function import RewardFunction, reward_function
        from reward_kit.evaluation import preview_evaluation, create_evaluation
        from reward_kit.server import run_server
        from reward_kit.auth import get_authentication
        print("ok")
        """
    )
    assert out.strip() == "ok"


def test_deploy_then_call_by_name_then_train_with_the_adapter(
    run_script: RunScript, fireworks: str, tmp_path: Path
) -> None:
    _metric(tmp_path)
    out = run_script(
        """
        from helpfulness.main import helpfulness_reward
        from reward_kit import RewardFunction

        evaluation_id = helpfulness_reward.deploy(
            name="helpfulness-evaluator",
            description="Evaluates the helpfulness of responses",
            force=True,
        )
        print(f"Deployed helpfulness evaluator with ID: {evaluation_id}")

        remote = RewardFunction(name="helpfulness-evaluator", mode="remote")
        result = remote(messages=[
            {"role": "user", "content": "What is machine learning?"},
            {"role": "assistant", "content": "Happy to help: let me explain it."},
        ])
        print(f"Score: {result.score:.2f}")

        trl_reward_fn = remote.get_trl_adapter()
        batch_inputs = [
            [{"role": "user", "content": "Question 1"},
             {"role": "assistant", "content": "I can help solve it"}],
            [{"role": "user", "content": "Question 2"}, {"role": "assistant", "content": "No"}],
        ]
        print([round(score, 2) for score in trl_reward_fn(batch_inputs)])
        """,
        api_base=fireworks,
    )
    assert out.splitlines() == [
        f"Deployed helpfulness evaluator with ID: accounts/{ACCOUNT}/evaluators/"
        "helpfulness-evaluator",
        "Score: 0.67",
        "[0.67, 0.0]",
    ]


def test_create_evaluation_and_preview_evaluation(
    run_script: RunScript, fireworks: str, tmp_path: Path
) -> None:
    _metric(tmp_path)
    samples = [
        {"messages": [{"role": "user", "content": "Reset my password?"},
                      {"role": "assistant", "content": "I can help: I will explain how."}]},
        {"messages": [{"role": "user", "content": "Weather?"},
                      {"role": "assistant", "content": "I do not know."}]},
    ]  # fmt: skip
    (tmp_path / "samples.jsonl").write_text("".join(json.dumps(s) + "\n" for s in samples))
    out = run_script(
        """
        from reward_kit.evaluation import create_evaluation, preview_evaluation

        preview_result = preview_evaluation(
            metric_folders=["helpfulness=./helpfulness"],
            sample_file="./samples.jsonl",
            max_samples=5,
        )
        preview_result.display()

        evaluator = create_evaluation(
            evaluator_id="helpfulness-created",
            metric_folders=["helpfulness=./helpfulness"],
            display_name="Helpfulness Evaluator",
            description="Evaluates the helpfulness of responses",
            force=True,
        )
        print(f"Created evaluator: {evaluator['name']}")
        """,
        api_base=fireworks,
    )
    assert "Total Samples: 2" in out
    assert "Sample 1: success=True score=0.666667" in out and "helpfulness: 0" in out
    assert f"Created evaluator: accounts/{ACCOUNT}/evaluators/helpfulness-created" in out


def test_fireworks_hosted_mode_asks_the_model(
    run_script: RunScript, openai_stub: OpenAIStub
) -> None:
    openai_stub.responder = lambda request: "Accurate and clear.\nSCORE: 8"
    out = run_script(
        """
        from reward_kit.reward_function import RewardFunction

        hosted_reward = RewardFunction(
            model_id="accounts/fireworks/models/llama-v3-8b-instruct", mode="fireworks_hosted"
        )
        result = hosted_reward(messages=[
            {"role": "user", "content": "Explain quantum computing"},
            {"role": "assistant", "content": "Quantum computers use qubits..."},
        ])
        print(f"Score: {result.score}")
        """,
        api_base=openai_stub.url.removesuffix("/v1"),
    )
    assert out.strip() == "Score: 0.8"
    (request,) = openai_stub.chat_requests
    assert request.path == "/inference/v1/chat/completions"
    assert request.json["model"] == "accounts/fireworks/models/llama-v3-8b-instruct"
