"""reward-kit's deploy helper modules (API reference: ``platform_api``, ``gcp_tools``,
``packaging``), against a local registry for the secrets API and a recording ``gcloud`` /
``docker`` on PATH for Google Cloud (the cloud is not reachable from tests)."""

from __future__ import annotations

import json
import os
import shlex
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

from reward_kit import RewardFunction
from reward_kit.deploy import ApiError, CredentialsError, DeployError, PackagingError
from reward_kit.server.testing import ServerProcess
from tests.compat.conftest import ACCOUNT, KEY, RunScript

CONVERSATION = [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}]
REWARD = (
    "from reward_kit import EvaluateResult, reward_function\n\n\n"
    "@reward_function\n"
    "def exact(messages, ground_truth=None, **kwargs):\n"
    "    return EvaluateResult(score=float(messages[-1].content == ground_truth))\n"
)

# Stands in for gcloud and docker: records each call (argv, stdin, a listing of a build
# context) as a JSON line and answers as the real tools do for what the helpers ask.
FAKE_CLI = """#!{python}
import json, os, sys
from pathlib import Path
state = Path({state!r})
args = sys.argv[1:]
record = {{"tool": Path(sys.argv[0]).name, "args": args}}
if "--data-file=-" in args:
    record["stdin"] = sys.stdin.read()
if args[:2] == ["builds", "submit"] or args[:1] == ["build"]:
    context = Path(args[2] if args[0] == "builds" else args[-1])
    record["context"] = sorted(p.relative_to(context).as_posix()
                               for p in context.rglob("*") if p.is_file())
    record["dockerfile"] = (context / "Dockerfile").read_text()
with open(state / "calls.jsonl", "a") as log:
    log.write(json.dumps(record) + "\\n")
exists = (state / "exists").read_text().split() if (state / "exists").exists() else []
if args[1:3] == ["repositories", "describe"] or args[:2] == ["secrets", "describe"]:
    name = args[3] if args[0] == "artifacts" else args[2]
    if name not in exists:
        sys.stderr.write("ERROR: (gcloud) NOT_FOUND: " + name + "\\n")
        sys.exit(1)
if args[:3] == ["secrets", "versions", "add"]:
    print("projects/123456/secrets/" + args[3] + "/versions/7")
if args[:3] == ["run", "services", "describe"]:
    print("https://" + args[3] + "-abc123-uc.a.run.app")
if args[:2] == ["run", "deploy"] and (state / "fail-deploy").exists():
    sys.stderr.write("ERROR: PERMISSION_DENIED: caller lacks run.services.create\\n")
    sys.exit(1)
"""


@pytest.fixture
def cloud(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder whose ``calls.jsonl`` records every gcloud/docker call; the fakes are on PATH."""
    state, bin_dir = tmp_path / "cloud", tmp_path / "bin"
    state.mkdir()
    bin_dir.mkdir()
    for tool in ("gcloud", "docker"):
        fake = bin_dir / tool
        fake.write_text(FAKE_CLI.format(python=sys.executable, state=str(state)))
        fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return state


def calls(state: Path) -> list[dict[str, object]]:
    log = state / "calls.jsonl"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


def command_lines(state: Path) -> list[str]:
    return [shlex.join([str(c["tool"]), *c["args"]]) for c in calls(state)]  # type: ignore[misc]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A user's folder: a reward module, its requirements and a .env that must stay home."""
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "my_rewards.py").write_text(REWARD)
    (folder / "requirements.txt").write_text("# none needed\n")
    (folder / ".env").write_text("OPENAI_API_KEY=sk-never-uploaded\n")
    return folder


# platform_api: "Secrets" (API reference, platform_api module)


def test_secrets_lifecycle_as_documented_runs_as_a_script(
    run_script: RunScript, fireworks: str
) -> None:
    out = run_script(
        """
        from reward_kit.auth import get_fireworks_account_id
        from reward_kit.platform_api import (
            create_or_update_fireworks_secret, delete_fireworks_secret, get_fireworks_secret,
        )

        account = get_fireworks_account_id()
        print("created", create_or_update_fireworks_secret(account, "judge-api-key", "v1"))
        print("updated", create_or_update_fireworks_secret(account, "judge-api-key", "v2"))
        print("got", get_fireworks_secret(account, "judge-api-key"))
        print("deleted", delete_fireworks_secret(account, "judge-api-key"))
        print("after", get_fireworks_secret(account, "judge-api-key"))
        print("again", delete_fireworks_secret(account, "judge-api-key"))
        """,
        api_base=fireworks,
    )
    assert "created True" in out and "updated True" in out
    got = f"{{'name': 'accounts/{ACCOUNT}/secrets/JUDGE_API_KEY', 'keyName': 'JUDGE_API_KEY'}}"
    assert f"got {got}" in out
    assert "deleted True" in out and "after None" in out and "again True" in out
    assert "v1" not in out and "v2" not in out


def test_a_secret_is_what_the_evaluator_reads_by_its_variable_name(fireworks: str) -> None:
    from reward_kit.platform_api import create_or_update_fireworks_secret, get_fireworks_secret

    options = {"api_key": KEY, "api_base": fireworks}
    assert create_or_update_fireworks_secret(ACCOUNT, "rkeval-x-shim-key", "k", **options)
    listed = httpx.get(
        f"{fireworks}/v1/accounts/{ACCOUNT}/secrets", headers={"Authorization": f"Bearer {KEY}"}
    ).json()
    assert "RKEVAL_X_SHIM_KEY" in [secret["keyName"] for secret in listed["secrets"]]
    # Either spelling finds it.
    assert get_fireworks_secret(ACCOUNT, "RKEVAL_X_SHIM_KEY", **options) is not None


def test_secret_failures_raise_instead_of_returning_false(
    fireworks: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reward_kit.platform_api import (
        PlatformAPIError,
        create_or_update_fireworks_secret,
        delete_fireworks_secret,
        get_fireworks_secret,
    )

    with pytest.raises(PlatformAPIError) as refused:
        create_or_update_fireworks_secret(ACCOUNT, "k", "v", api_key="wrong", api_base=fireworks)
    assert refused.value.status_code == 401 and isinstance(refused.value, ApiError)
    assert refused.value.response_text
    with pytest.raises(PlatformAPIError):
        get_fireworks_secret(ACCOUNT, "k", api_key="wrong", api_base=fireworks)
    with pytest.raises(PlatformAPIError):
        delete_fireworks_secret(ACCOUNT, "k", api_key="wrong", api_base=fireworks)
    with pytest.raises(ValueError, match="environment variable"):
        create_or_update_fireworks_secret(ACCOUNT, "my.key", "v", KEY, fireworks)
    with pytest.raises(ValueError, match="empty"):
        create_or_update_fireworks_secret(ACCOUNT, "my-key", "", KEY, fireworks)

    # No server at all: an error after the retries, not "the secret does not exist".
    closed = "http://127.0.0.1:9"
    with pytest.raises(PlatformAPIError) as unreachable:
        get_fireworks_secret(ACCOUNT, "k", api_key=KEY, api_base=closed)
    assert unreachable.value.status_code is None

    # No key anywhere: the credentials error says where to put one.
    for variable in ("FIREWORKS_API_KEY", "FIREWORKS_ACCOUNT_ID", "FIREWORKS_API_BASE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(CredentialsError, match="FIREWORKS_API_KEY"):
        create_or_update_fireworks_secret(ACCOUNT, "k", "v")


# gcp_tools: the Cloud Run steps (API reference, gcp_tools module)


def test_cloud_run_steps_as_the_deploy_command_chains_them(
    cloud: Path, project: Path, tmp_path: Path
) -> None:
    from reward_kit.gcp_tools import (
        build_and_push_docker_image,
        deploy_to_cloud_run,
        ensure_artifact_registry_repo_exists,
        ensure_gcp_secret,
    )
    from reward_kit.packaging import generate_dockerfile_content

    image = "us-central1-docker.pkg.dev/proj/reward-kit-evaluators/my-eval:latest"
    assert ensure_artifact_registry_repo_exists("proj", "us-central1", "reward-kit-evaluators")
    dockerfile = generate_dockerfile_content("my_rewards.exact", source_dir=project)
    assert build_and_push_docker_image(image, dockerfile, str(project), gcp_project_id="proj")
    version = ensure_gcp_secret("proj", "rk-eval-my-eval-authkey", "key-123", labels={"a": "b"})
    assert version == "projects/123456/secrets/rk-eval-my-eval-authkey/versions/7"
    url = deploy_to_cloud_run(
        "my-eval", image, "proj", "us-central1",
        env_vars={"MODE": "a,b"}, secrets_to_mount={"RK_ENDPOINT_API_KEY": version},
    )  # fmt: skip
    assert url == "https://my-eval-abc123-uc.a.run.app"

    where = "--project=proj --location=us-central1"
    assert command_lines(cloud) == [
        f"gcloud artifacts repositories describe reward-kit-evaluators {where}",
        f"gcloud artifacts repositories create reward-kit-evaluators {where} "
        "--repository-format=docker '--description=reward-kit evaluators'",
        command_lines(cloud)[2],  # the staging folder's name varies
        "gcloud secrets describe rk-eval-my-eval-authkey --project=proj",
        "gcloud secrets create rk-eval-my-eval-authkey --project=proj "
        "--replication-policy=automatic --labels=a=b",
        "gcloud secrets versions add rk-eval-my-eval-authkey --project=proj --data-file=- "
        "'--format=value(name)'",
        f"gcloud run deploy my-eval --image={image} --region=us-central1 --project=proj "
        "--port=8080 --allow-unauthenticated '--set-env-vars=^@^MODE=a,b' "
        "--update-secrets=RK_ENDPOINT_API_KEY=rk-eval-my-eval-authkey:7",
        "gcloud run services describe my-eval --region=us-central1 --project=proj "
        "'--format=value(status.url)'",
    ]
    build = calls(cloud)[2]
    assert build["args"][:2] == ["builds", "submit"]  # type: ignore[index]
    assert f"--tag={image}" in build["args"]  # type: ignore[operator]
    # The secret went through stdin only; the context had no .env and the Dockerfile given.
    assert calls(cloud)[5]["stdin"] == "key-123"
    assert not any("key-123" in line for line in command_lines(cloud))
    assert build["context"] == ["Dockerfile", "my_rewards.py", "requirements.txt"]
    assert build["dockerfile"] == dockerfile
    assert sorted(p.name for p in project.iterdir()) == [
        ".env",
        "my_rewards.py",
        "requirements.txt",
    ]


def test_existing_repository_and_secret_are_reused(cloud: Path) -> None:
    from reward_kit.gcp_tools import ensure_artifact_registry_repo_exists, ensure_gcp_secret

    (cloud / "exists").write_text("repo\nsecret\n")
    assert ensure_artifact_registry_repo_exists("proj", "europe-west1", "repo")
    ensure_gcp_secret("proj", "secret", "value", region="europe-west1")
    lines = command_lines(cloud)
    assert not any(" create " in line for line in lines)
    assert lines[-1].startswith("gcloud secrets versions add secret")


def test_without_a_project_the_local_docker_builds_and_pushes(cloud: Path, project: Path) -> None:
    from reward_kit.gcp_tools import build_and_push_docker_image

    build_and_push_docker_image("registry.example/eval:1", "FROM scratch\n", str(project))
    lines = command_lines(cloud)
    assert lines[0].startswith("docker build -t registry.example/eval:1 ")
    assert lines[1] == "docker push registry.example/eval:1"
    assert calls(cloud)[0]["dockerfile"] == "FROM scratch\n"


def test_gcloud_failures_raise_with_its_message(cloud: Path, project: Path) -> None:
    from reward_kit.gcp_tools import deploy_to_cloud_run

    (cloud / "fail-deploy").write_text("")
    with pytest.raises(DeployError, match="PERMISSION_DENIED: caller lacks run.services.create"):
        deploy_to_cloud_run("svc", "img", "proj", "us-central1")
    with pytest.raises(ValueError, match="secrets_to_mount"):
        deploy_to_cloud_run("svc", "img", "proj", "r", secrets_to_mount={"K": "bad/name"})


def test_dry_run_runs_nothing(cloud: Path, project: Path) -> None:
    from reward_kit.gcp_tools import (
        build_and_push_docker_image,
        deploy_to_cloud_run,
        ensure_artifact_registry_repo_exists,
        ensure_gcp_secret,
    )

    assert ensure_artifact_registry_repo_exists("p", "r", "repo", dry_run=True)
    assert build_and_push_docker_image("img", "FROM scratch\n", str(project), "p", dry_run=True)
    assert ensure_gcp_secret("p", "s", "v", dry_run=True) == "projects/p/secrets/s/versions/latest"
    assert deploy_to_cloud_run("svc", "img", "p", "r", dry_run=True).endswith(".invalid")
    assert calls(cloud) == []


def test_missing_gcloud_is_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reward_kit.gcp_tools import ensure_gcp_secret

    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(DeployError, match="gcloud is not installed"):
        ensure_gcp_secret("p", "s", "v")


# packaging: "generate_dockerfile_content" (API reference, packaging module)


def test_dockerfile_options(project: Path) -> None:
    from reward_kit.packaging import generate_dockerfile_content

    text = generate_dockerfile_content(
        "my_rewards.exact", "3.12", user_requirements_path="requirements.txt",
        inline_requirements_content="numpy>=1.26  # arrays\n\nsympy\n", service_port=9000,
        source_dir=project,
    )  # fmt: skip
    assert text.startswith("FROM python:3.12-slim\n")
    assert "ENV PYTHONPATH=/app PORT=9000" in text
    assert "RUN pip install --no-cache-dir -r /app/evaluator/code/requirements.txt" in text
    assert "RUN pip install --no-cache-dir 'numpy>=1.26' sympy" in text
    assert "--function-ref /app/evaluator/code/my_rewards.py:exact" in text
    assert text.index("RUN pip install --no-cache-dir 'numpy") < text.index("USER evaluator")
    assert "--api-key-env RK_ENDPOINT_API_KEY" in text
    open_service = generate_dockerfile_content(
        "my_rewards:exact", source_dir=project, api_key=False
    )
    assert "--api-key-env" not in open_service

    with pytest.raises(PackagingError, match="does not exist"):
        generate_dockerfile_content("missing_module.fn", source_dir=project)
    with pytest.raises(PackagingError, match="expected module.function"):
        generate_dockerfile_content("exact", source_dir=project)
    with pytest.warns(UserWarning, match="ignored"):
        generate_dockerfile_content(
            "my_rewards.exact", reward_kit_install_source="reward-kit==0.4.1", source_dir=project
        )


@pytest.mark.slow
def test_the_build_context_serves_the_function_as_its_dockerfile_says(
    run_script: RunScript, project: Path, tmp_path: Path
) -> None:
    script = f"""
        from reward_kit.packaging import create_build_context

        context = create_build_context("my_rewards.exact", {str(tmp_path / "context")!r},
                                       source_dir={str(project)!r})
        print(context)
        """
    context = Path(run_script(textwrap.dedent(script)).strip())
    files = sorted(p.relative_to(context).as_posix() for p in context.rglob("*") if p.is_file())
    assert "evaluator/code/my_rewards.py" in files and "reward_kit/__init__.py" in files
    assert not any(name.endswith(".env") for name in files)
    assert not any("sk-never-uploaded" in (context / name).read_text(errors="ignore")
                   for name in files)  # fmt: skip

    # Run the Dockerfile's CMD with the context in place of /app, as the container would.
    cmd = (context / "Dockerfile").read_text().split("CMD ", 1)[1].strip()
    args = shlex.split(cmd.replace("/app", str(context)))
    serve_args = args[args.index("serve") + 1 : args.index("--host")]
    serve_args += ["--api-key-env", "RK_ENDPOINT_API_KEY", "--workers", "1"]
    key = "endpoint-key-0123456789"
    with ServerProcess(
        serve_args, env={"PYTHONPATH": str(context), "RK_ENDPOINT_API_KEY": key}
    ) as s:
        remote = RewardFunction(mode="remote", endpoint=f"{s.url}/evaluate", api_key=key)
        assert remote(messages=CONVERSATION, ground_truth="4").score == 1.0
        assert httpx.post(f"{s.url}/evaluate", json={"messages": CONVERSATION}).status_code == 401
