"""Tenants of ``reward-kit serve --registry`` cannot reach each other, the registry or the server.

Each test deploys hostile evaluators on a real server started by the fixture and checks that
the attack fails from the outside: through what the evaluator reports back, the server's state
and the host's processes and files.
"""

from __future__ import annotations

import json
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from reward_kit.server._registry._isolation import probe_isolation
from reward_kit.server.testing import ServerProcess
from tests._support.processes import eventually, processes_with

pytestmark = pytest.mark.skipif(
    not probe_isolation().sandboxed, reason="bubblewrap cannot create namespaces on this host"
)

KEY = "isolation-admin-key-0123456789"
AUTH = {"Authorization": f"Bearer {KEY}"}
PROBE = textwrap.dedent(
    """
    import json, os, signal, subprocess, sys
    from pathlib import Path

    from reward_kit import EvaluateResult, reward_function


    def attempt(action):
        try:
            return {"ok": repr(action())[:300]}
        except BaseException as exc:
            return {"error": type(exc).__name__}


    class Poisoned(Exception):
        def __reduce__(self):
            return exec, (f"open({PWNED!r}, 'w').write('pwned')",)


    @reward_function
    def evaluate(messages, ground_truth=None, **kwargs):
        order = messages[-1].content
        root = Path(ROOT)
        if order == "report":
            report = {
                "env": sorted(os.environ),
                "secret": os.environ.get("SHARED_NAME"),
                "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
                "uid": os.getuid(),
                "database": attempt(lambda: (root / "registry.sqlite3").read_bytes()[:10]),
                "listing": attempt(lambda: sorted(os.listdir(root / "code"))),
                "other": attempt(lambda: (root / "code" / OTHER).exists()),
                "write_code": attempt(lambda: Path(__file__).write_text("hacked")),
                "kill_server": attempt(lambda: os.kill(SERVER_PID, signal.SIGKILL)),
                "tmp": attempt(lambda: Path("/tmp/scratch").write_text("mine")),
            }
            return EvaluateResult(score=1.0, reason=json.dumps(report))
        if order == "poison":
            raise Poisoned("a poisoned exception")
        if order == "memory":
            hog = bytearray(1024 * 1024 * 1024)
            return EvaluateResult(score=float(len(hog)), reason="allocated 1 GiB")
        if order.startswith("connect:"):
            import socket
            port = int(order.split(":")[1])
            reached = attempt(lambda: socket.create_connection(("127.0.0.1", port), 5).close())
            return EvaluateResult(score=1.0, reason=json.dumps(reached))
        if order == "noisy":
            for line in range(5000):
                print("noise", line, "x" * 90)
            return EvaluateResult(score=1.0, reason="printed 500 kB")
        if order == "detach":
            subprocess.Popen(["sh", "-c", "sleep 1000; echo " + MARK], start_new_session=True)
            import time
            time.sleep(60)
        return EvaluateResult(score=0.5, reason=VERSION)
    """
)


def probe_code(
    server: ServerProcess, other: str, pwned: Path, mark: str = "x", version: str = "v1"
) -> str:
    assert server.process is not None
    values = {"OTHER": other, "SERVER_PID": server.process.pid, "PWNED": str(pwned), "MARK": mark}
    values["VERSION"], values["ROOT"] = version, str(server.args[1])
    code = PROBE
    for name, value in values.items():
        code = code.replace(name, repr(value))
    return code


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    root = tmp_path_factory.mktemp("registry")
    args = ["--registry", str(root), "--api-key-env", "REG_KEY", "--workers", "2"]
    args += ["--timeout", "5", "--evaluator-memory-mb", "512"]
    env = {"REG_KEY": KEY, "SERVER_CANARY": "server-only-value"}
    with ServerProcess(args, env=env) as running:
        yield running


def _url(server: ServerProcess, account: str, path: str = "") -> str:
    return f"{server.url}/v1/accounts/{account}{path}"


def _inline(code: str) -> dict[str, Any]:
    return {"criteria": [{"name": "m", "codeSnippets": {"fileContents": {"main.py": code}}}]}


def deploy(
    server: ServerProcess,
    account: str,
    evaluator_id: str,
    code: str,
    replace: bool = False,
    network: bool = True,
) -> None:
    if replace:
        httpx.delete(_url(server, account, f"/evaluators/{evaluator_id}"), headers=AUTH)
    body = {"evaluatorId": evaluator_id, "evaluator": {**_inline(code), "network": network}}
    created = httpx.post(_url(server, account, "/evaluators"), json=body, headers=AUTH, timeout=30)
    assert created.status_code == 200, created.text
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        got = httpx.get(_url(server, account, f"/evaluators/{evaluator_id}"), headers=AUTH)
        if got.json()["state"] != "BUILDING":
            assert got.json()["state"] == "ACTIVE", got.json()
            return
        time.sleep(0.1)
    raise AssertionError(f"{evaluator_id} never became ACTIVE")


def evaluate(server: ServerProcess, account: str, evaluator_id: str, order: str) -> dict[str, Any]:
    messages = [{"role": "user", "content": "q"}, {"role": "assistant", "content": order}]
    answer = httpx.post(
        _url(server, account, f"/evaluators/{evaluator_id}:evaluate"),
        json={"messages": messages},
        headers=AUTH,
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


@pytest.fixture(scope="module")
def tenants(server: ServerProcess, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    pwned = tmp_path_factory.mktemp("outside") / "pwned"
    mark = uuid.uuid4().hex
    for account, other in (("alice", "bob"), ("bob", "alice")):
        secret = {"keyName": "SHARED_NAME", "value": f"{account}-secret"}
        made = httpx.post(_url(server, account, "/secrets"), json=secret, headers=AUTH)
        assert made.status_code == 200, made.text
        deploy(server, account, "probe", probe_code(server, other, pwned, mark))
    return {"pwned": pwned, "mark": mark}


def test_an_evaluator_sees_only_its_own_account(server, tenants) -> None:
    report = json.loads(evaluate(server, "alice", "probe", "report")["reason"])
    assert report["secret"] == "alice-secret"
    assert "SERVER_CANARY" not in report["env"] and "REG_KEY" not in report["env"]
    assert report["database"] == {"error": "FileNotFoundError"}
    assert report["other"] == {"ok": "False"}
    assert report["listing"] == {"ok": "['alice']"}
    assert report["write_code"]["error"] in {"OSError", "PermissionError"}
    assert report["tmp"] == {"ok": "4"}
    assert report["uid"] != 0
    assert max(report["pids"]) < 10  # its own PID namespace: the server is not in it


def test_an_evaluator_cannot_kill_the_server(server, tenants) -> None:
    report = json.loads(evaluate(server, "bob", "probe", "report")["reason"])
    assert report["kill_server"] == {"error": "ProcessLookupError"}
    assert report["secret"] == "bob-secret"
    assert httpx.get(f"{server.url}/health").status_code == 200


def test_what_a_worker_sends_back_is_never_unpickled(server, tenants) -> None:
    result = evaluate(server, "alice", "probe", "poison")
    assert result["is_score_valid"] is False and "Poisoned" in result["error"]
    assert not tenants["pwned"].exists()


def test_memory_is_bounded_per_evaluator(server, tenants) -> None:
    result = evaluate(server, "alice", "probe", "memory")
    assert result["is_score_valid"] is False, result
    assert evaluate(server, "alice", "probe", "fine")["score"] == 0.5


def test_a_detached_child_dies_with_its_timed_out_worker(server, tenants) -> None:
    result = evaluate(server, "bob", "probe", "detach")
    assert result["is_score_valid"] is False and "timed out" in result["error"]
    assert eventually(lambda: not processes_with(tenants["mark"]), seconds=10)


def test_a_preview_is_sandboxed_too(server, tenants) -> None:
    code = probe_code(server, "bob", tenants["pwned"])
    sample = {
        "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "report"}]
    }
    body = {"evaluator": _inline(code), "sampleData": [json.dumps(sample)]}
    answer = httpx.post(
        _url(server, "alice", "/evaluators:previewEvaluator"), json=body, headers=AUTH, timeout=60
    )
    assert answer.status_code == 200, answer.text
    report = json.loads(answer.json()["results"][0]["reason"])
    assert report["secret"] is None and "SERVER_CANARY" not in report["env"]
    assert report["database"] == {"error": "FileNotFoundError"}
    assert report["other"] == {"ok": "False"}


def test_a_redeployed_evaluator_never_serves_its_old_revision(server, tenants) -> None:
    deploy(server, "carol", "versioned", probe_code(server, "x", tenants["pwned"]))
    assert evaluate(server, "carol", "versioned", "which")["reason"] == "v1"
    deleted = httpx.delete(_url(server, "carol", "/evaluators/versioned"), headers=AUTH)
    assert deleted.status_code == 200
    gone = httpx.post(
        _url(server, "carol", "/evaluators/versioned:evaluate"),
        json={"messages": [{"role": "user", "content": "q"}]},
        headers=AUTH,
    )
    assert gone.status_code == 404
    deploy(server, "carol", "versioned", probe_code(server, "x", tenants["pwned"], version="v2"))
    assert evaluate(server, "carol", "versioned", "which")["reason"] == "v2"


@pytest.mark.slow
def test_racing_redeploys_never_give_500s_or_stale_revisions(server, tenants) -> None:
    from concurrent.futures import ThreadPoolExecutor

    statuses: list[int] = []

    def redeploy(version: str) -> None:
        for _ in range(4):
            statuses.append(
                httpx.delete(_url(server, "dave", "/evaluators/race"), headers=AUTH).status_code
            )
            body = {
                "evaluatorId": "race",
                "evaluator": _inline(_versioned(server, tenants, version)),
            }
            created = httpx.post(_url(server, "dave", "/evaluators"), json=body, headers=AUTH)
            statuses.append(created.status_code)

    def hammer() -> None:
        for _ in range(40):
            answer = httpx.post(
                _url(server, "dave", "/evaluators/race:evaluate"),
                json={"messages": [{"role": "user", "content": "q"}]},
                headers=AUTH,
                timeout=60,
            )
            statuses.append(answer.status_code)

    with ThreadPoolExecutor(3) as pool:
        for future in [pool.submit(redeploy, "a"), pool.submit(redeploy, "b"), pool.submit(hammer)]:
            future.result()
    assert statuses and all(status < 500 for status in statuses), sorted(set(statuses))
    deploy(server, "dave", "race", _versioned(server, tenants, "final"), replace=True)
    assert evaluate(server, "dave", "race", "which")["reason"] == "final"


def _versioned(server: ServerProcess, tenants: dict[str, Any], version: str) -> str:
    return probe_code(server, "x", tenants["pwned"], version=version)


def test_what_an_evaluator_prints_reaches_the_server_log_capped(server, tenants) -> None:
    assert evaluate(server, "bob", "probe", "noisy")["score"] == 1.0
    eventually(lambda: "output past" in server.log(), seconds=10)
    noise = [line for line in server.log().splitlines() if " noise " in line]
    assert noise and all(line.startswith("[rk-probe-") for line in noise)
    assert 64 * 1024 // 120 < len(noise) <= 64 * 1024 // 100 + 1
    assert "(output past 65536 bytes dropped)" in server.log()


def test_the_network_can_be_switched_off_per_evaluator(server, tenants) -> None:
    import socket

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    try:
        deploy(server, "erin", "online", probe_code(server, "x", tenants["pwned"]))
        deploy(server, "erin", "offline", probe_code(server, "x", tenants["pwned"]), network=False)
        online = json.loads(evaluate(server, "erin", "online", f"connect:{port}")["reason"])
        offline = json.loads(evaluate(server, "erin", "offline", f"connect:{port}")["reason"])
    finally:
        listener.close()
    assert online == {"ok": "None"}
    assert offline == {"error": "ConnectionRefusedError"}
