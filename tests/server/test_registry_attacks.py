"""The registry's HTTP surface under attack (issue 11), each against a real ``reward-kit serve``.

Unauthenticated uploads, archive bombs, cross-account keys, inputs that used to give 500s and
drop the connection, and a large body that used to stall every other request.
"""

from __future__ import annotations

import bz2
import http.client
import io
import json
import socket
import sqlite3
import tarfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from reward_kit.server.testing import ServerProcess
from tests.server._registry import ACCOUNT, KEY, cli, conversation, registry

AUTH = {"Authorization": f"Bearer {KEY}"}
ECHO = (
    "from reward_kit import EvaluateResult, reward_function\n\n\n"
    "@reward_function\n"
    "def evaluate(messages, **kwargs):\n"
    "    return EvaluateResult(score=1.0, reason='odd \\ud800 text ' + str(len(messages)))\n"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One registry for the module; each test uses evaluator ids and keys of its own."""
    with registry(tmp_path_factory.mktemp("attacks") / "registry", {}) as running:
        yield running


def _base(server: ServerProcess, account: str = ACCOUNT) -> str:
    return f"{server.url}/v1/accounts/{account}"


def _tar_gz(members: dict[str, bytes], fmt: int = tarfile.PAX_FORMAT) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=fmt) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _upload_url(server: ServerProcess, evaluator_id: str, size: int, **headers: str) -> str:
    body = {"evaluator": {}, "evaluatorId": evaluator_id}
    created = httpx.post(f"{_base(server)}/evaluatorsV2", json=body, headers=AUTH)
    assert created.status_code == 200, created.text
    answer = httpx.post(
        f"{_base(server)}/evaluators/{evaluator_id}:getUploadEndpoint",
        json={"filenameToSize": {"code.tar.gz": size}},
        headers={**AUTH, **headers},
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["filenameToSignedUrls"]["code.tar.gz"])


def _raw_request(server: ServerProcess, head: str, body: bytes = b"") -> str:
    """Send a request head (and maybe part of a body) and return the status line."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as connection:
        connection.sendall(head.encode() + b"\r\n" + body)
        return connection.recv(4096).decode(errors="replace").split("\r\n", 1)[0]


def test_an_unknown_upload_token_is_refused_before_its_body_is_read(server: ServerProcess) -> None:
    declared = 90 * 1024 * 1024  # never sent: the answer must not wait for it
    head = (
        "PUT /v1/uploads/made-up-token HTTP/1.1\r\nHost: x\r\n"
        f"Content-Length: {declared}\r\nContent-Type: application/octet-stream\r\n"
    )
    assert _raw_request(server, head, b"x" * 1024).endswith("404 Not Found")
    chunked = "PUT /v1/uploads/made-up-token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
    assert _raw_request(server, chunked, b"400\r\n" + b"x" * 1024 + b"\r\n").endswith(
        "404 Not Found"
    )


def test_a_wrong_size_upload_keeps_the_url_usable(server: ServerProcess) -> None:
    archive = _tar_gz({"main.py": b"x = 1\n"})
    url = _upload_url(server, "sized", len(archive))
    too_long = httpx.put(url, content=archive + b"extra")
    assert too_long.status_code == 400 and "PUT exactly" in too_long.json()["detail"]

    def trickle() -> Iterator[bytes]:  # no Content-Length: the cap applies while streaming
        yield archive
        yield b"more than declared"

    assert httpx.put(url, content=trickle()).status_code == 400
    assert httpx.put(url, content=archive[:-1]).status_code == 400
    assert httpx.put(url, content=archive).status_code == 200
    assert httpx.put(url, content=archive).status_code == 404  # used up by the complete upload


def test_upload_urls_never_come_from_the_host_header(tmp_path: Path) -> None:
    with registry(tmp_path / "a", {}) as server:
        url = _upload_url(server, "hosted", 10, Host="attacker.example")
        assert url.startswith(f"{server.url}/v1/uploads/")
    public = "https://evals.example.com/base"
    with registry(tmp_path / "b", {}, None, "--public-url", public) as server:
        url = _upload_url(server, "hosted", 10, Host="attacker.example")
        assert url.startswith(f"{public}/v1/uploads/")


def _validate(server: ServerProcess, evaluator_id: str, archive: bytes) -> httpx.Response:
    url = _upload_url(server, evaluator_id, len(archive))
    assert httpx.put(url, content=archive).status_code == 200
    return httpx.post(  # unpacking 5,000 files takes seconds on slow disks
        f"{_base(server)}/evaluators/{evaluator_id}:validateUpload",
        json={},
        headers=AUTH,
        timeout=120,
    )


def _bz2_tar(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return bz2.compress(buffer.getvalue())


def test_archive_bombs_are_refused_cheaply_and_leave_nothing(server: ServerProcess) -> None:
    many = {f"f{index}.py": b"" for index in range(5001)}
    long_header = tarfile.TarInfo("x" * (9 * 1024 * 1024))  # a 9 MiB GNU long-name header
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.GNU_FORMAT) as tar:
        tar.addfile(long_header, io.BytesIO(b""))
    cases = {
        "bzip": (_bz2_tar({"main.py": b"x = 1\n"}), "not gzip-compressed"),
        "many": (_tar_gz(many), "more than 5000 entries"),
        "long-header": (buffer.getvalue(), "headers take more than"),
        "late-escape": (_tar_gz({"main.py": b"x = 1\n", "../evil.py": b""}), "relative path"),
        "file-and-folder": (_tar_gz({"a": b"", "a/b.py": b""}), "needs a to be a folder"),
        "nul": (_tar_gz({"main.py": b"", "bad\x01name.py": b""}), "control character"),
    }
    root = Path(server.args[1])
    for evaluator_id, (archive, says) in cases.items():
        refused = _validate(server, evaluator_id, archive)
        assert refused.status_code == 400 and says in refused.json()["detail"], refused.text
        code = next((root / "code" / ACCOUNT / evaluator_id).iterdir())
        assert sorted(path.name for path in code.iterdir()) == ["upload.tar.gz"], evaluator_id
        record = httpx.get(f"{_base(server)}/evaluators/{evaluator_id}", headers=AUTH).json()
        assert record["state"] == "BUILD_FAILED" and says in record["status"]["message"]


def test_account_keys_act_on_their_own_account_only(server: ServerProcess) -> None:
    root = server.args[1]
    created = cli("serve", "keys", "create", "--account", ACCOUNT, "--registry", root, env={})
    assert created.returncode == 0, created.stderr
    key_id, key = created.stdout.split()[2], created.stdout.split()[-1]
    own, other = _base(server), _base(server, "globex")
    as_account = {"X-Api-Key": key}
    assert httpx.get(f"{own}/evaluators", headers=as_account).status_code == 200
    for method, url in [("get", f"{other}/evaluators"), ("post", f"{other}/secrets")]:
        refused = httpx.request(
            method, url, headers=as_account, json={"keyName": "A", "value": "v"}
        )
        assert refused.status_code == 403, refused.text
        assert "belongs to account 'acme'" in refused.json()["detail"]
    assert httpx.get(f"{other}/evaluators", headers=AUTH).status_code == 200  # the admin key
    assert httpx.get(f"{own}/evaluators", headers={"X-Api-Key": key + "x"}).status_code == 401

    listed = cli("serve", "keys", "list", "--registry", root, env={})
    assert key_id in listed.stdout and ACCOUNT in listed.stdout and key not in listed.stdout
    with sqlite3.connect(Path(root) / "registry.sqlite3") as database:
        stored = json.dumps(database.execute("SELECT * FROM api_keys").fetchall())
    assert key not in stored and key.split("_")[-1] not in stored  # only its hash is kept

    revoked = cli("serve", "keys", "revoke", key_id, "--registry", root, env={})
    assert revoked.returncode == 0, revoked.stderr
    assert httpx.get(f"{own}/evaluators", headers=as_account).status_code == 401


def test_account_keys_alone_protect_a_registry_without_an_admin_key(tmp_path: Path) -> None:
    root = tmp_path / "registry"
    created = cli("serve", "keys", "create", "--account", "solo", "--registry", str(root), env={})
    key = created.stdout.split()[-1]
    with ServerProcess(["--registry", str(root), "--workers", "1"]) as server:
        assert httpx.get(f"{_base(server, 'solo')}/evaluators").status_code == 401
        answer = httpx.get(f"{_base(server, 'solo')}/evaluators", headers={"X-Api-Key": key})
        assert answer.status_code == 200


def _wait_active(server: ServerProcess, evaluator_id: str) -> None:
    for _ in range(600):
        record = httpx.get(f"{_base(server)}/evaluators/{evaluator_id}", headers=AUTH).json()
        if record["state"] != "BUILDING":
            assert record["state"] == "ACTIVE", record
            return
        time.sleep(0.1)
    raise AssertionError(f"{evaluator_id} did not finish building")


def test_bad_input_gets_a_4xx_and_the_connection_stays_usable(server: ServerProcess) -> None:
    inline = {"evaluatorId": "echo", "evaluator": {"criteria": [
        {"name": "m", "codeSnippets": {"fileContents": {"main.py": ECHO}}}]}}  # fmt: skip
    assert httpx.post(f"{_base(server)}/evaluators", json=inline, headers=AUTH).status_code == 200
    _wait_active(server, "echo")

    def create(files: dict[str, str], requirements: str = "") -> tuple[str, str, object]:
        criteria = [{"name": "m", "codeSnippets": {"fileContents": files}}]
        body = {
            "evaluatorId": "x",
            "evaluator": {"criteria": criteria, "requirements": requirements},
        }
        return "POST", "/evaluators", body

    prefix = f"/v1/accounts/{ACCOUNT}"
    surrogate = b'{"messages": [{"role": "user", "content": "\\ud800"}]}'
    echoed = json.dumps({"messages": conversation("\ud800")})
    preview = {"evaluator": inline["evaluator"], "sampleData": [echoed]}
    cases = [
        (("GET", "/evaluators?pageToken=%C2%B2", None), 400, "pageToken"),
        (("GET", "/evaluators?pageToken=99999999999999999999999", None), 400, "pageToken"),
        (create({"a": "", "a/b": ""}), 400, "needs a to be a folder"),
        (create({"main\x00.py": ""}), 400, "control character"),
        (create({"m" * 300 + ".py": ""}), 400, "too long"),
        (create({"main.py": ""}, "pkg @ https://example.com/pkg.whl"), 400, "URLs"),
        (create({"main.py": ""}, "file:///etc/passwd"), 400, "URLs"),
        (("POST", "/evaluatorsV2", {"evaluator": {}, "evaluatorId": "abc\n"}), 400, "evaluator id"),
        (("GET", "/evaluators/abc%0A", None), 400, "evaluator id"),
        (("POST", "/secrets", {"keyName": "TOKEN", "value": "a\x00b"}), 400, "NUL"),
        (("POST", "/secrets", {"keyName": "TOKEN\n", "value": "v"}), 400, "keyName"),
        (("POST", "/evaluators/echo:evaluate", surrogate), 400, "not valid JSON"),
        (("POST", "/evaluators/echo:evaluate", {"messages": conversation("hi")}), 200, None),
        (("POST", "/evaluators:previewEvaluator", preview), 200, None),
    ]
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    first_socket = None
    for (method, path, body), status, says in cases:
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {**AUTH, "Content-Type": "application/json"}
        connection.request(method, prefix + path, body=payload if body else None, headers=headers)
        response = connection.getresponse()
        answer = json.loads(response.read())
        assert response.status == status, (path, answer)
        assert says is None or says in answer["detail"], (path, answer)
        first_socket = first_socket or connection.sock
        assert connection.sock is first_socket, f"the connection was dropped after {path}"
    connection.request("HEAD", "/health")
    probe = connection.getresponse()
    probe.read()
    assert probe.status == 200 and connection.sock is first_socket
    connection.close()
    assert "Traceback" not in server.log()


def test_a_large_request_does_not_stall_other_requests(tmp_path: Path) -> None:
    (tmp_path / "r.py").write_text(ECHO.replace("odd \\ud800 text ", "messages: "))
    args = ["--function-ref", f"{tmp_path}/r.py:evaluate", "--workers", "1"]
    big = {"messages": [{"role": "user", "content": "hello there"}] * 200_000}
    payload = json.dumps(big).encode()
    with ServerProcess(args) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        finished = threading.Event()
        took: list[float] = []
        answers: list[httpx.Response] = []

        def send_big() -> None:
            started = time.perf_counter()
            headers = {"Content-Type": "application/json"}
            try:
                answers.append(
                    httpx.post(
                        f"{server.url}/evaluate", content=payload, headers=headers, timeout=60
                    )
                )
            finally:
                took.append(time.perf_counter() - started)
                finished.set()

        sender = threading.Thread(target=send_big)
        sender.start()
        gaps = []
        while not finished.is_set():
            started = time.perf_counter()
            assert client.get("/health").status_code == 200
            gaps.append(time.perf_counter() - started)
        sender.join()
    assert answers and answers[0].json()["reason"].endswith("200000")
    # /health answers all along: no probe waits more than a fraction of the big request
    assert max(gaps) < took[0] / 3, (max(gaps), took[0], len(gaps))
