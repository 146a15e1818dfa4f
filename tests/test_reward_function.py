"""Tests of ``RewardFunction``: loading by reference, local calls and remote calls over HTTP."""

from __future__ import annotations

import pickle
import socket
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reward_kit import EvaluateResult, Message, RewardFunction, reward_function
from reward_kit.errors import RemoteEvaluationError, RewardNotFoundError
from tests._servers.evaluator_stub import EvaluatorStub, Reply, running_evaluator_stub

CONVERSATION = [
    {"role": "user", "content": "What is 2+2?"},
    {"role": "assistant", "content": "4"},
]


@reward_function
def exact_answer(
    messages: list[Message], ground_truth: Any = None, bonus: float = 0.0, **kwargs: Any
) -> EvaluateResult:
    return EvaluateResult(score=float(messages[-1].content == ground_truth) + bonus)


def plain_function(messages: list[dict[str, Any]], ground_truth: Any = None, **kwargs: Any) -> Any:
    return {"score": 0.5}


@pytest.fixture
def stub() -> Iterator[EvaluatorStub]:
    with running_evaluator_stub() as stub:
        yield stub


@pytest.mark.parametrize(
    "reference", [f"{__name__}:exact_answer", f"{__name__}.exact_answer", "exact_answer"]
)
def test_local_reward_from_references(reference: str) -> None:
    reward = RewardFunction(func_path=reference)
    assert reward(CONVERSATION, ground_truth="4").score == 1.0


def test_local_reward_from_a_file_path(tmp_path: Path) -> None:
    folder = tmp_path / "my_metric"
    folder.mkdir()
    (folder / "helpers.py").write_text("WORD = 'four'\n")
    (folder / "main.py").write_text(
        textwrap.dedent(
            """
            from helpers import WORD
            from reward_kit import EvaluateResult, reward_function

            @reward_function
            def evaluate(messages, ground_truth=None, **kwargs):
                return EvaluateResult(score=float(WORD in messages[-1].content))
            """
        )
    )
    reward = RewardFunction(func_path=f"{folder}/main.py:evaluate")
    assert reward([{"role": "assistant", "content": "four"}]).score == 1.0
    relative = RewardFunction(func_path="main.py:evaluate", base_dir=folder)
    assert relative.func is reward.func
    assert pickle.loads(pickle.dumps(reward.func)) is reward.func


@pytest.mark.parametrize(
    ("reference", "match"),
    [
        ("no_such_module_xyz:fn", "no module named 'no_such_module_xyz'"),
        (f"{__name__}:no_such_function", "has no attribute 'no_such_function'"),
        ("/nonexistent/main.py:evaluate", "no Python file"),
        ("never_registered_reward", "no reward function is registered"),
    ],
)
def test_unknown_references_say_what_was_looked_for(reference: str, match: str) -> None:
    with pytest.raises(RewardNotFoundError, match=match):
        RewardFunction(func_path=reference)


def test_plain_functions_and_default_kwargs() -> None:
    assert RewardFunction(func=plain_function)(CONVERSATION).score == 0.5
    with_bonus = RewardFunction(func=exact_answer, bonus=0.5)
    assert with_bonus(CONVERSATION, ground_truth="4").score == 1.5
    assert with_bonus(CONVERSATION, ground_truth="4", bonus=1.0).score == 2.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, "needs func= or func_path="),
        ({"mode": "remote"}, "needs endpoint="),
        ({"mode": "cloud", "func": plain_function}, "mode must be"),
        ({"func": plain_function, "func_path": "x.y"}, "not both"),
        ({"mode": "remote", "endpoint": "http://x", "func": plain_function}, "not func="),
        ({"mode": "remote", "endpoint": "localhost:8000/evaluate"}, "http:// or https:// URL"),
    ],
)
def test_bad_constructor_arguments(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        RewardFunction(**kwargs)


def test_remote_call_uses_the_wire_format_and_auth(
    stub: EvaluatorStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FIREWORKS_API_KEY", "env-key")
    reward = RewardFunction(mode="remote", endpoint=stub.url, tools=[{"type": "function"}], k=1)
    result = reward(CONVERSATION, ground_truth="4")
    assert (result.score, result.reason) == (1.0, "remote saw '4'")
    assert stub.requests[0] == {
        "messages": CONVERSATION,
        "ground_truth": "4",
        "tools": [{"type": "function"}],
        "kwargs": {"k": 1},
    }
    assert stub.headers[0]["authorization"] == "Bearer env-key"
    RewardFunction(mode="remote", endpoint=stub.url, api_key="explicit")(CONVERSATION)
    assert stub.headers[1]["authorization"] == "Bearer explicit"


def test_remote_retries_5xx_and_429_then_succeeds(stub: EvaluatorStub) -> None:
    stub.script.extend(
        [
            Reply(status=503, body={"detail": "warming up"}),
            Reply(status=429, body={"detail": "slow down"}, headers={"Retry-After": "0"}),
        ]
    )
    result = RewardFunction(mode="remote", endpoint=stub.url)(CONVERSATION, ground_truth="4")
    assert result.score == 1.0
    assert len(stub.requests) == 3


def test_remote_gives_up_after_bounded_retries(stub: EvaluatorStub) -> None:
    stub.script.extend(Reply(status=500, body={"detail": "boom"}) for _ in range(5))
    reward = RewardFunction(mode="remote", endpoint=stub.url, max_retries=2)
    with pytest.raises(RemoteEvaluationError, match="after 3 attempts: HTTP 500: boom") as info:
        reward(CONVERSATION)
    assert info.value.status_code == 500
    assert len(stub.requests) == 3


def test_remote_4xx_fails_at_once_with_the_server_message(stub: EvaluatorStub) -> None:
    stub.script.append(Reply(status=422, body={"detail": "messages[0].role is invalid"}))
    with pytest.raises(RemoteEvaluationError, match="HTTP 422: messages.0..role is invalid"):
        RewardFunction(mode="remote", endpoint=stub.url)(CONVERSATION)
    assert len(stub.requests) == 1


def test_remote_timeout_is_reported(stub: EvaluatorStub) -> None:
    stub.script.extend(Reply(delay=1.0, body={"score": 1}) for _ in range(2))
    reward = RewardFunction(mode="remote", endpoint=stub.url, timeout=0.2, max_retries=1)
    with pytest.raises(RemoteEvaluationError, match=r"no response within 0.2 s"):
        reward(CONVERSATION)


def test_remote_malformed_body_is_a_clear_error(stub: EvaluatorStub) -> None:
    stub.script.append(Reply(body=b"<html>oops</html>"))
    with pytest.raises(RemoteEvaluationError, match="not an EvaluateResult.*not JSON"):
        RewardFunction(mode="remote", endpoint=stub.url)(CONVERSATION)
    stub.script.append(Reply(body={"score": "high"}))
    with pytest.raises(RemoteEvaluationError, match=r"result\.score"):
        RewardFunction(mode="remote", endpoint=stub.url)(CONVERSATION)


def test_remote_unreachable_server_is_reported() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    reward = RewardFunction(mode="remote", endpoint=f"http://127.0.0.1:{port}/", max_retries=1)
    with pytest.raises(RemoteEvaluationError, match="connection error: ConnectError"):
        reward(CONVERSATION)


def test_remote_malformed_messages_fail_before_sending(stub: EvaluatorStub) -> None:
    with pytest.raises(ValueError, match=r"messages\[0\]\.role"):
        RewardFunction(mode="remote", endpoint=stub.url)([{"role": "x", "content": "y"}])
    assert stub.requests == []


def test_reward_function_pickles_for_worker_processes() -> None:
    reward = pickle.loads(pickle.dumps(RewardFunction(func=exact_answer, bonus=1.0)))
    assert reward(CONVERSATION, ground_truth="4").score == 2.0


def test_trl_adapter_scores_standard_format() -> None:
    adapter = RewardFunction(func=exact_answer).get_trl_adapter(workers=1)
    assert adapter.__name__ == "exact_answer"
    scores = adapter(prompts=["2+2?", "3+3?"], completions=["4", "7"], ground_truth=["4", "6"])
    assert scores == [1.0, 0.0]
