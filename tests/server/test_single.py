"""``reward-kit serve`` for one evaluator, as a real subprocess on 127.0.0.1."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import httpx
import pytest

from reward_kit import RewardFunction
from reward_kit.errors import RemoteEvaluationError
from reward_kit.server.testing import ServerProcess

KEY = "test-key-0123456789"
REWARDS = textwrap.dedent(
    """
    import os
    import time

    from reward_kit import EvaluateResult, reward_function


    @reward_function
    def judge(messages, ground_truth=None, **kwargs):
        text = messages[-1].content
        if text == "crash":
            os._exit(3)
        if text == "hang":
            time.sleep(60)
        if text == "raise":
            raise ValueError("boom")
        if text == "env":
            return EvaluateResult(score=0.0, reason=repr(os.environ.get("MY_KEY")))
        extra = sorted(k for k in kwargs)
        return EvaluateResult(
            score=1.0 if text.strip() == str(ground_truth) else 0.0,
            reason=f"extra={extra}",
        )
    """
)
CONVERSATION = [{"role": "user", "content": "6*7?"}, {"role": "assistant", "content": "42"}]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> ServerProcess:
    folder = tmp_path_factory.mktemp("rewards")
    (folder / "rewards.py").write_text(REWARDS)
    args = ["--function-ref", f"{folder}/rewards.py:judge", "--workers", "2", "--timeout", "3"]
    args += ["--api-key-env", "MY_KEY", "--max-body-bytes", "4000"]
    with ServerProcess(args, env={"MY_KEY": KEY}) as running:
        yield running


def _post(server: ServerProcess, body: object, **headers: str) -> httpx.Response:
    content = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return httpx.post(
        f"{server.url}/evaluate",
        content=content,
        headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json", **headers},
        timeout=30,
    )


def test_scores_with_the_wire_format(server: ServerProcess) -> None:
    body = {"messages": CONVERSATION, "ground_truth": "42", "tools": [], "kwargs": {"lang": "en"}}
    response = _post(server, body)
    assert response.status_code == 200
    result = response.json()
    assert result["score"] == 1.0 and result["is_score_valid"] is True
    assert result["reason"] == "extra=['lang', 'tools']"


def test_remote_reward_function_calls_the_server(server: ServerProcess) -> None:
    remote = RewardFunction(mode="remote", endpoint=f"{server.url}/evaluate", api_key=KEY)
    assert remote(messages=CONVERSATION, ground_truth="42").score == 1.0
    assert remote(messages=CONVERSATION, ground_truth="41").score == 0.0


def test_reward_code_cannot_read_the_server_key(server: ServerProcess) -> None:
    response = _post(server, {"messages": [{"role": "assistant", "content": "env"}]})
    assert response.json()["reason"] == "None"


def test_without_the_key_the_answer_is_401(server: ServerProcess) -> None:
    body = {"messages": CONVERSATION}
    assert httpx.post(f"{server.url}/evaluate", json=body).status_code == 401
    wrong = httpx.post(f"{server.url}/evaluate", json=body, headers={"X-Api-Key": "nope"})
    assert wrong.status_code == 401
    assert "wrong API key" in wrong.json()["detail"]
    assert httpx.post(f"{server.url}/evaluate", json=body, headers={"X-Api-Key": KEY}).is_success
    assert httpx.get(f"{server.url}/health").status_code == 200  # probes need no key
    remote = RewardFunction(mode="remote", endpoint=f"{server.url}/evaluate", api_key="nope")
    with pytest.raises(RemoteEvaluationError, match="401"):
        remote(messages=CONVERSATION)


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        (b"{not json", 400, "not valid JSON"),
        ({"ground_truth": "42"}, 422, "messages: Field required"),
        ({"messages": []}, 422, "messages: List should have at least 1 item"),
        ({"messages": [{"role": "robot", "content": "x"}]}, 422, "messages[0].role"),
        ({"messages": "hello"}, 422, "messages"),
        ({"messages": CONVERSATION, "kwargs": [1]}, 422, "kwargs"),
        ({"messages": CONVERSATION, "surprise": 1}, 422, "surprise: Extra inputs"),
        ([1, 2], 422, "body"),
        (b'{"messages": [{"role": "user", "content": "q"}], "ground_truth": NaN}', 422,
         "ground_truth: NaN and Infinity are not JSON numbers; send a finite number"),
        (b'{"messages": [{"role": "user", "content": "q"}], "kwargs": {"a": [1, -Infinity]}}', 422,
         "kwargs.a[1]: NaN and Infinity are not JSON numbers"),
        (b'{"messages": [{"role": "user", "content": "q"}], "ground_truth": {"x": 1e999}}', 422,
         "ground_truth.x: NaN and Infinity are not JSON numbers"),
        (b"[" * 1_000 + b"]" * 1_000, 400, "request body is not valid JSON (recursion limit"),
        (b'{"messages": [{"role": "user", "content": "\xff"}]}', 400, "not valid JSON"),
        (b'{"messages": [{"role": "user", "content": 5}]}', 422,
         "messages[0].content.str: Input should be a valid string"),
    ],
)  # fmt: skip
def test_malformed_requests_get_4xx_saying_what_is_wrong(
    server: ServerProcess, body: object, status: int, says: str
) -> None:
    response = _post(server, body)
    assert response.status_code == status, response.text
    assert says in response.json()["detail"]


def test_a_form_body_is_told_to_send_json(server: ServerProcess) -> None:
    response = _post(server, "a=b", **{"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]


def test_bodies_over_the_limit_get_413_declared_or_streamed(server: ServerProcess) -> None:
    big = {"messages": [{"role": "user", "content": "x" * 5000}]}
    assert _post(server, big).status_code == 413

    def chunks():  # no Content-Length: the body arrives chunked
        yield json.dumps(big).encode()

    response = httpx.post(
        f"{server.url}/evaluate",
        content=chunks(),
        headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert "limit of 4000 bytes" in response.json()["detail"]


@pytest.mark.parametrize(
    ("text", "error"),
    [("raise", "ValueError: boom"), ("crash", "died"), ("hang", "timed out after 3 s")],
)
def test_failing_rewards_give_invalid_results_and_the_server_survives(
    server: ServerProcess, text: str, error: str
) -> None:
    response = _post(server, {"messages": [{"role": "assistant", "content": text}]})
    assert response.status_code == 200
    result = response.json()
    assert result["is_score_valid"] is False
    assert error in result["error"]
    assert _post(server, {"messages": CONVERSATION, "ground_truth": "42"}).json()["score"] == 1.0


def test_metrics_folders_are_averaged(tmp_path: Path) -> None:
    for name, score in (("half", 0.5), ("full", 1.0)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.py").write_text(
            "from reward_kit import EvaluateResult, reward_function\n\n\n"
            "@reward_function\n"
            "def evaluate(messages, ground_truth=None, **kwargs):\n"
            f"    return EvaluateResult(score={score}, reason='{name}')\n"
        )
    args = ["--metrics-folders", f"half={tmp_path / 'half'}", f"full={tmp_path / 'full'}"]
    with ServerProcess([*args, "--workers", "1"]) as server:
        result = httpx.post(f"{server.url}/evaluate", json={"messages": CONVERSATION}).json()
    assert result["score"] == 0.75
    assert result["metrics"]["half"]["score"] == 0.5
    assert result["metrics"]["full"]["reason"] == "full"


def test_a_closure_in_a_script_is_served_from_worker_processes(tmp_path: Path) -> None:
    (tmp_path / "factory.py").write_text(
        "from reward_kit import EvaluateResult, reward_function\n"
        "print('FACTORY TOP LEVEL', flush=True)\n\n\n"
        "def make_reward(expected):\n"
        "    @reward_function\n"
        "    def matches(messages, ground_truth=None, **kwargs):\n"
        "        return EvaluateResult(score=float(messages[-1].content == expected))\n\n"
        "    return matches\n\n\n"
        "reward = make_reward('42')\n"
    )
    args = ["--function-ref", f"{tmp_path}/factory.py:reward", "--workers", "2"]
    with ServerProcess(args) as running:
        for answer, score in (("42", 1.0), ("41", 0.0)):
            messages = [*CONVERSATION[:1], {"role": "assistant", "content": answer}]
            reply = httpx.post(f"{running.url}/evaluate", json={"messages": messages}, timeout=30)
            assert reply.status_code == 200 and reply.json()["score"] == score, reply.text
        assert running.log().count("FACTORY TOP LEVEL") == 1
