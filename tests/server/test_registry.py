"""``reward-kit serve --registry``: deploy, preview, evaluate, redeploy, restart, delete."""

from __future__ import annotations

import base64
import hashlib
import io
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from pathlib import Path

import httpx
import pytest

from reward_kit import RewardFunction
from reward_kit.deploy import FireworksClient, build_package, load_credentials, preview_on_service
from reward_kit.server.testing import ServerProcess
from tests.server._registry import ACCOUNT, KEY, cli, conversation, registry

MAIN = textwrap.dedent(
    """
    import os

    from reward_kit import EvaluateResult, reward_function

    from normalise import normalise

    IMPORTED_BY = os.getpid()


    @reward_function
    def evaluate(messages, ground_truth=None, **kwargs):
        right = normalise(messages[-1].content) == normalise(str(ground_truth))
        bonus = os.environ.get("BONUS_WORD", "")
        reason = f"bonus={bonus}" if kwargs.get("show") != "pid" else str(IMPORTED_BY)
        return EvaluateResult(score=SCORE if right else 0.0, reason=reason)
    """
)


def write_metric(folder: Path, score: float = 1.0) -> Path:
    """An example metrics folder: main.py, a helper module, a secret and an ignored file."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "main.py").write_text(MAIN.replace("SCORE", repr(score)))
    (folder / "normalise.py").write_text("def normalise(text):\n    return text.strip().lower()\n")
    (folder / ".env").write_text("OPENAI_API_KEY=sk-do-not-upload\n")
    (folder / ".gitignore").write_text("scratch/\n")
    (folder / "scratch").mkdir(exist_ok=True)
    (folder / "scratch" / "notes.txt").write_text("private notes\n")
    return folder


@pytest.fixture
def service_env(tmp_path: Path) -> dict[str, str]:
    return {
        "FIREWORKS_API_KEY": KEY,
        "FIREWORKS_ACCOUNT_ID": ACCOUNT,
    }


@pytest.mark.slow
def test_deploy_preview_evaluate_redeploy_restart_delete(
    tmp_path: Path, service_env: dict[str, str]
) -> None:
    metric = write_metric(tmp_path / "exact")
    root = tmp_path / "registry"
    server = registry(root, service_env).start()
    try:
        env = {**service_env, "FIREWORKS_API_BASE": server.url}
        deployed = cli(
            "deploy", "--id", "exact-match", "--metrics-folders", f"exact={metric}", env=env
        )
        assert deployed.returncode == 0, deployed.stderr
        assert "accounts/acme/evaluators/exact-match is ACTIVE" in deployed.stdout
        assert KEY not in deployed.stdout + deployed.stderr
        uploaded = {p.name for p in root.rglob("*") if p.is_file()}
        assert "normalise.py" in uploaded and ".env" not in uploaded and "notes.txt" not in uploaded

        credentials = load_credentials(api_base=server.url, api_key=KEY, account_id=ACCOUNT)
        with FireworksClient(credentials) as client:
            samples = [
                {"messages": conversation(" Paris"), "ground_truth": "paris"},
                {"messages": conversation("Lyon"), "ground_truth": "paris"},
            ]
            preview = preview_on_service(client, build_package({"exact": metric}), samples)
            assert [r["score"] for r in preview["results"]] == [1.0, 0.0]
            assert preview["totalSamples"] == 2

            url = f"{server.url}/v1/accounts/{ACCOUNT}/evaluators/exact-match:evaluate"
            remote = RewardFunction(mode="remote", endpoint=url, api_key=KEY)
            assert remote(messages=conversation("PARIS"), ground_truth="Paris").score == 1.0
            assert remote(messages=conversation("Rome"), ground_truth="Paris").score == 0.0
            imported_by = remote(messages=conversation("x"), ground_truth="y", show="pid").reason
            assert server.process is not None and int(imported_by) != server.process.pid

            again = cli(
                "deploy", "--id", "exact-match", "--metrics-folders", f"exact={metric}", env=env
            )
            assert again.returncode == 1 and "already exists; pass --force" in again.stderr
            write_metric(metric, score=0.5)
            forced = cli(
                "deploy", "--id", "exact-match", "--metrics-folders", f"exact={metric}", "--force",
                env=env,
            )  # fmt: skip
            assert forced.returncode == 0, forced.stderr
            assert remote(messages=conversation("paris"), ground_truth="Paris").score == 0.5

        server.stop()
        server = registry(root, service_env, port=server.port).start()
        with FireworksClient(credentials) as client:
            evaluator = client.get_evaluator("exact-match")
            assert evaluator is not None and evaluator["state"] == "ACTIVE"
            assert [e["name"] for e in client.list_evaluators()] == [
                "accounts/acme/evaluators/exact-match"
            ]
            assert remote(messages=conversation("paris"), ground_truth="Paris").score == 0.5
            client.delete_evaluator("exact-match")
            assert client.get_evaluator("exact-match") is None
        gone = httpx.post(url, json={"messages": conversation("x")}, headers={"X-Api-Key": KEY})
        assert gone.status_code == 404
        assert not (root / "code" / ACCOUNT / "exact-match").exists()
    finally:
        server.stop()


@pytest.fixture
def running_registry(tmp_path: Path, service_env: dict[str, str]):
    with registry(tmp_path / "registry", service_env) as server:
        yield server


def test_registry_requires_the_key_and_rejects_malformed_requests(
    running_registry: ServerProcess,
) -> None:
    base = f"{running_registry.url}/v1/accounts/{ACCOUNT}"
    auth = {"Authorization": f"Bearer {KEY}"}
    assert httpx.get(f"{base}/evaluators").status_code == 401
    assert httpx.get(f"{base}/evaluators", headers={"Authorization": "Bearer x"}).status_code == 401
    assert httpx.get(f"{base}/evaluators", headers=auth).json()["evaluators"] == []
    cases = [
        ("post", "/evaluatorsV2", {"evaluator": {}, "evaluatorId": "Bad_ID"}, 400, "evaluator id"),
        ("post", "/evaluatorsV2", {"evaluatorId": "ok"}, 422, "evaluator: Field required"),
        ("post", "/evaluators", {"evaluator": {}, "evaluatorId": "ok"}, 400, "fileContents"),
        ("get", "/evaluators/missing", None, 404, "does not exist"),
        ("post", "/evaluators/missing:evaluate", {"messages": conversation("x")}, 404, "exist"),
        ("post", "/evaluators:previewEvaluator", {"evaluator": {"criteria": [
            {"name": "m", "codeSnippets": {"fileContents": {"main.py": "x"}}}]},
            "sampleData": ["{nope"]}, 400, "sampleData[0] is not JSON"),
        ("post", "/evaluators:previewEvaluator", {"evaluator": {"criteria": [
            {"name": "m", "codeSnippets": {"fileContents": {"main.py": "x"}}}]},
            "sampleData": ['{"messages": []}', "[" * 100_000 + "]" * 100_000]}, 400,
            "sampleData[1] is JSON nested too deeply"),
        ("post", "/evaluators:previewEvaluator", {"evaluator": {"criteria": [
            {"name": "m", "codeSnippets": {"fileContents": {"main.py": "x"}}}]},
            "sampleData": ['{"messages": [], "ground_truth": [0, NaN]}']}, 400,
            "sampleData[0].ground_truth[1]: NaN and Infinity are not JSON numbers"),
        ("post", "/secrets", {"keyName": "1BAD", "value": "v"}, 400, "keyName"),
    ]  # fmt: skip
    for method, path, body, status, says in cases:
        response = httpx.request(method, base + path, json=body, headers=auth)
        assert response.status_code == status, (path, response.text)
        assert says in response.json()["detail"], (path, response.text)


def _tar(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_unsafe_or_broken_uploads_fail_with_the_reason(running_registry: ServerProcess) -> None:
    base = f"{running_registry.url}/v1/accounts/{ACCOUNT}"
    auth = {"Authorization": f"Bearer {KEY}"}
    cases = {
        "escape": (_tar({"../evil.py": b"x = 1\n"}), "not a relative path"),
        "broken": (_tar({"e/main.py": b"def evaluate(:\n"}), "SyntaxError"),
        "missing": (_tar({"e/other.py": b"x = 1\n"}), "does not contain"),
        "garbage": (b"this is not a tarball", "not a readable .tar.gz"),
    }
    for evaluator_id, (archive, reason) in cases.items():
        body = {"evaluator": {}, "evaluatorId": evaluator_id}
        assert httpx.post(f"{base}/evaluatorsV2", json=body, headers=auth).status_code == 200
        upload = httpx.post(
            f"{base}/evaluators/{evaluator_id}:getUploadEndpoint",
            json={"filenameToSize": {"code.tar.gz": len(archive)}},
            headers=auth,
        ).json()["filenameToSignedUrls"]["code.tar.gz"]
        assert httpx.put(upload, content=archive).status_code == 200
        assert httpx.put(upload, content=archive).status_code == 404  # one use only
        httpx.post(f"{base}/evaluators/{evaluator_id}:validateUpload", json={}, headers=auth)
        with FireworksClient(
            load_credentials(api_base=running_registry.url, api_key=KEY, account_id=ACCOUNT)
        ) as client:
            from reward_kit.deploy._service import DeployError, wait_until_built

            with pytest.raises(DeployError, match="failed to build") as failure:
                wait_until_built(client, evaluator_id, timeout=60)
        assert reason in str(failure.value), evaluator_id
    assert not (Path(running_registry.args[1]).parent / "evil.py").exists()


def test_secrets_reach_evaluators_as_environment_variables(
    tmp_path: Path, running_registry: ServerProcess, service_env: dict[str, str]
) -> None:
    env = {**service_env, "FIREWORKS_API_BASE": running_registry.url, "WORD": "s3cr3t-value"}
    created = cli("secrets", "create", "BONUS_WORD", "--from-env", "WORD", env=env)
    assert created.returncode == 0, created.stderr
    listed = cli("secrets", "list", env=env)
    assert listed.stdout.split() == ["BONUS_WORD"] and "s3cr3t" not in listed.stdout
    metric = write_metric(tmp_path / "exact")
    assert cli("deploy", "--id", "sec", "--metrics-folders", f"m={metric}", env=env).returncode == 0
    url = f"{running_registry.url}/v1/accounts/{ACCOUNT}/evaluators/sec:evaluate"
    remote = RewardFunction(mode="remote", endpoint=url, api_key=KEY)
    assert remote(messages=conversation("x"), ground_truth="y").reason == "bonus=s3cr3t-value"
    assert cli("secrets", "delete", "BONUS_WORD", env=env).returncode == 0
    assert remote(messages=conversation("x"), ground_truth="y").reason == "bonus="
    assert cli("secrets", "list", env=env).stdout.strip() == ""


def make_wheel(folder: Path) -> Path:
    """A tiny pure-Python wheel ``tinydep`` that only the evaluator's venv will have."""
    files = {
        "tinydep/__init__.py": b"ANSWER = 'from the venv'\n",
        "tinydep-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: tinydep\nVersion: 1.0\n",
        "tinydep-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\n"
        b"Root-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for name, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append("tinydep-1.0.dist-info/RECORD,,")
    wheel = folder / "tinydep-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr("tinydep-1.0.dist-info/RECORD", "\n".join(record) + "\n")
    return wheel


def _requiring_metric(folder: Path) -> Path:
    folder.mkdir()
    (folder / "main.py").write_text(
        "import tinydep\n"
        "from reward_kit import EvaluateResult, reward_function\n\n\n"
        "@reward_function(requirements=['tinydep==1.0'])\n"
        "def evaluate(messages, **kwargs):\n"
        "    return EvaluateResult(score=1.0, reason=tinydep.ANSWER)\n"
    )
    return folder


@pytest.mark.slow
def test_requirements_go_into_a_venv_of_the_evaluator_not_the_server(
    tmp_path: Path, service_env: dict[str, str]
) -> None:
    make_wheel(tmp_path)  # the operator's pip finds packages here (its own configuration)
    pip_config = {"PIP_FIND_LINKS": str(tmp_path), "PIP_NO_INDEX": "1"}
    metric = _requiring_metric(tmp_path / "needs")
    with registry(tmp_path / "registry", {**service_env, **pip_config}) as server:
        env = {**service_env, "FIREWORKS_API_BASE": server.url}
        deployed = cli("deploy", "--id", "needs-dep", "--metrics-folders", f"m={metric}", env=env)
        assert deployed.returncode == 0, deployed.stderr + server.log()
        url = f"{server.url}/v1/accounts/{ACCOUNT}/evaluators/needs-dep:evaluate"
        result = RewardFunction(mode="remote", endpoint=url, api_key=KEY)(
            messages=conversation("x")
        )
    assert result.reason == "from the venv"
    venvs = list((tmp_path / "registry").rglob("tinydep/__init__.py"))
    assert len(venvs) == 1 and "venv" in venvs[0].parts
    check = subprocess.run([sys.executable, "-c", "import tinydep"], capture_output=True)
    assert check.returncode != 0  # the server's own environment was not touched


def test_requirements_are_refused_when_installation_is_disabled(
    tmp_path: Path, service_env: dict[str, str]
) -> None:
    metric = _requiring_metric(tmp_path / "needs")
    with registry(tmp_path / "reg", service_env, None, "--no-install-requirements") as server:
        env = {**service_env, "FIREWORKS_API_BASE": server.url}
        for flow in ("upload", "inline"):
            deployed = cli(
                "deploy", "--id", f"needs-{flow}", "--metrics-folders", f"m={metric}",
                "--flow", flow, env=env,
            )  # fmt: skip
            assert deployed.returncode == 1
            assert "does not install requirements" in deployed.stderr
            assert "--no-install-requirements" in deployed.stderr
