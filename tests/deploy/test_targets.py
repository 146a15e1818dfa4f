"""Deploy targets: Python API with the inline flow, local-serve, and gcp-cloud-run."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from reward_kit import RewardFunction
from reward_kit._loading import load_reference
from reward_kit.deploy import DeployError, PackagingError, deploy
from reward_kit.server.testing import ServerProcess, free_port

KEY = "target-key-0123456789"
MAIN = (
    "from reward_kit import EvaluateResult, reward_function\n\n\n"
    "@reward_function\n"
    "def evaluate(messages, ground_truth=None, **kwargs):\n"
    "    return EvaluateResult(score=float(messages[-1].content == ground_truth))\n"
)
CONVERSATION = [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}]


@pytest.fixture
def metric(tmp_path: Path) -> Path:
    folder = tmp_path / "metric"
    folder.mkdir()
    (folder / "main.py").write_text(MAIN)
    (folder / ".env").write_text("TOKEN=never-uploaded\n")
    return folder


def test_deploy_a_function_object_with_the_inline_flow(tmp_path: Path, metric: Path) -> None:
    reward = load_reference(f"{metric}/main.py:evaluate")
    args = ["--registry", str(tmp_path / "reg"), "--api-key-env", "K", "--workers", "1"]
    with ServerProcess(args, env={"K": KEY}) as server:
        options = {"api_base": server.url, "api_key": KEY, "account_id": "team"}
        result = deploy(reward, id="inline-eval", flow="inline", **options)
        assert result.evaluator is not None and result.evaluator["state"] == "ACTIVE"
        assert result.evaluate_url is not None
        remote = RewardFunction(mode="remote", endpoint=result.evaluate_url, api_key=KEY)
        assert remote(messages=CONVERSATION, ground_truth="4").score == 1.0
        with pytest.raises(DeployError, match="already exists"):
            deploy(reward, id="inline-eval", flow="inline", **options)


@pytest.mark.slow
def test_local_serve_starts_a_server_with_a_key_it_never_prints(
    tmp_path: Path, metric: Path
) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "reward_kit", "deploy", "--id", "local-eval", "--target",
         "local-serve", "--port", str(port), "--metrics-folders", f"m={metric}"],
        env={**os.environ, "RK_STATE_DIR": str(tmp_path / "state")},
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        lines = []
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if "press Ctrl-C" in line:
                break
        key_file = tmp_path / "state" / "keys" / "local-eval.key"
        key = key_file.read_text()
        assert oct(key_file.stat().st_mode & 0o777) == "0o600"
        assert key not in "".join(lines) and str(key_file) in "".join(lines)
        url = f"http://127.0.0.1:{port}/evaluate"
        assert httpx.post(url, json={"messages": CONVERSATION}).status_code == 401
        remote = RewardFunction(mode="remote", endpoint=url, api_key=key)
        assert remote(messages=CONVERSATION, ground_truth="4").score == 1.0
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
        assert process.stdout is not None
        process.stdout.close()
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)


FAKE_GCLOUD = """#!/bin/sh
echo "$@" >> "{log}"
if [ "$2" = "create" ]; then cat > "{stdin}"; fi
if [ "$2" = "services" ]; then echo "{url}"; fi
"""


def test_cloud_run_keeps_the_key_in_secret_manager_and_registers_the_url(
    tmp_path: Path, metric: Path
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log, stdin = tmp_path / "gcloud.log", tmp_path / "gcloud.stdin"
    cloud_run_port = free_port()  # where the test serves the built context, as Cloud Run would
    gcloud = bin_dir / "gcloud"  # stands in for the real gcloud: the cloud is not reachable
    url = f"http://127.0.0.1:{cloud_run_port}"
    gcloud.write_text(FAKE_GCLOUD.format(log=log, stdin=stdin, url=url))
    gcloud.chmod(0o755)
    context = tmp_path / "context"
    command = [sys.executable, "-m", "reward_kit", "deploy", "--id", "cr-eval", "--target",
               "gcp-cloud-run", "--output-dir", str(context), "--gcp-project", "proj",
               "--gcp-auth-mode", "api-key", "--metrics-folders", f"m={metric}"]  # fmt: skip
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    dry = subprocess.run([*command, "--dry-run"], env=env, capture_output=True, text=True)
    assert dry.returncode == 0, dry.stderr
    assert (
        "gcloud run deploy cr-eval" in dry.stdout
        and "--set-secrets=RK_ENDPOINT_API_KEY" in dry.stdout
        and "register the service URL as remote evaluator cr-eval" in dry.stdout
    )
    assert not context.exists() and not log.exists()

    args = ["--registry", str(tmp_path / "reg"), "--api-key-env", "K", "--workers", "1"]
    with ServerProcess(args, env={"K": KEY}) as registry:
        env.update(FIREWORKS_API_BASE=registry.url, FIREWORKS_API_KEY=KEY)
        env["FIREWORKS_ACCOUNT_ID"] = "team"
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        calls = log.read_text().splitlines()
        assert calls[0].startswith("secrets create cr-eval-api-key --replication-policy=automatic")
        assert calls[1].startswith(f"run deploy cr-eval --source={context} --region=us-central1")
        assert calls[2] == (
            "run services describe cr-eval --region=us-central1 --project=proj "
            "--format=value(status.url)"
        )
        key = stdin.read_text()
        assert len(key) >= 32 and key not in done.stdout + done.stderr
        files = [p for p in context.rglob("*") if p.is_file()]
        assert not any(key in p.read_text(errors="ignore") for p in files)
        assert not (context / "evaluator" / "m" / ".env").exists()
        assert (context / "evaluator" / "m" / "main.py").exists()
        assert f"Cloud Run service cr-eval is at {url}" in done.stdout
        assert "RK_REMOTE_KEY_CR_EVAL" in done.stdout and "is ACTIVE" in done.stdout

        # The context is self-contained: its CMD serves the evaluator with the copied
        # reward-kit. Served here, it is called through the registered remote evaluator.
        cmd = (context / "Dockerfile").read_text().split("CMD ", 1)[1].strip()
        args = shlex.split(cmd.replace("/app", str(context)))
        serve_args = args[args.index("serve") + 1 : args.index("--host")]
        serve_args += ["--api-key-env", "RK_ENDPOINT_API_KEY", "--workers", "1"]
        server_env = {"PYTHONPATH": str(context), "RK_ENDPOINT_API_KEY": key}
        with ServerProcess(serve_args, env=server_env, port=cloud_run_port):
            endpoint = f"{registry.url}/v1/accounts/team/evaluators/cr-eval:evaluate"
            remote = RewardFunction(mode="remote", endpoint=endpoint, api_key=KEY)
            assert remote(messages=CONVERSATION, ground_truth="4").score == 1.0
            assert remote(messages=CONVERSATION, ground_truth="5").score == 0.0
            direct = httpx.post(f"{url}/evaluate", json={"messages": CONVERSATION})
            assert direct.status_code == 401  # the service itself wants the key


def test_cloud_run_registration_needs_credentials_before_anything_is_built(
    tmp_path: Path, metric: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {name: value for name, value in os.environ.items() if not name.startswith("FIREWORKS_")}
    env["HOME"] = str(home)
    completed = subprocess.run(
        [sys.executable, "-m", "reward_kit", "deploy", "--id", "cr-eval", "--target",
         "gcp-cloud-run", "--output-dir", str(tmp_path / "context"),
         "--metrics-folders", f"m={metric}"],
        env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert completed.returncode != 0
    assert "reward-kit deploy: error: registering the Cloud Run service" in completed.stderr
    assert "--no-register" in completed.stderr
    assert not (tmp_path / "context").exists()

    env["PATH"] = os.path.dirname(sys.executable)  # no gcloud: the commands are printed
    alone = subprocess.run(
        [*completed.args, "--no-register"], env=env, capture_output=True, text=True, timeout=60
    )
    assert alone.returncode == 0, alone.stderr
    assert "gcloud is not installed" in alone.stdout and (tmp_path / "context").is_dir()


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]], ids=["deploy", "dry-run"])
def test_a_file_as_cloud_run_output_dir_is_refused_before_anything_is_done(
    tmp_path: Path, metric: Path, dry_run: list[str]
) -> None:
    (tmp_path / "context").write_text("not a folder")
    completed = subprocess.run(
        [sys.executable, "-m", "reward_kit", "deploy", "--id", "cr-eval", "--target",
         "gcp-cloud-run", "--output-dir", "context", "--no-register",
         "--metrics-folders", f"m={metric}", *dry_run],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert completed.returncode == 1
    assert completed.stderr.strip() == (
        "reward-kit deploy: error: --output-dir context: is a file; give a folder for the build"
    )
    assert (tmp_path / "context").read_text() == "not a folder"


def test_a_function_reference_alone_deploys_its_folder(metric: Path) -> None:
    (metric / "scorer.py").write_text(MAIN.replace("def evaluate", "def score"))
    completed = subprocess.run(
        [sys.executable, "-m", "reward_kit", "deploy", "--id", "by-ref", "--dry-run",
         "--target", "local-serve", "--function-ref", f"{metric}/scorer.py:score"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert "metric/scorer.py" in completed.stdout and "metric/.env: secret" in completed.stdout
    assert f"--function-ref {metric}/scorer.py:score" in completed.stdout


def test_a_bare_name_as_function_reference_says_what_to_give() -> None:
    with pytest.raises(PackagingError, match="give the function's module, as pkg.mod.fn"):
        deploy(id="bare", function_ref="math_reward", target="local-serve", dry_run=True)


def test_each_target_takes_only_its_own_options() -> None:
    import inspect

    from reward_kit.deploy._api import _TARGETS

    own = {name: set(options) for name, (_, options) in _TARGETS.items()}
    assert own["local-serve"] == {"host", "port"}
    assert {"host", "port", "flow", "wait"}.isdisjoint(own["gcp-cloud-run"])
    assert {"host", "port", "output_dir"}.isdisjoint(own["fireworks"]) and "gcp_region" not in own[
        "fireworks"
    ]
    common = {"reward_fn_or_folder", "id", "metrics_folders", "target", "function_ref"}
    common |= {"dry_run", "report"}
    assert set(inspect.signature(deploy).parameters) - common == set.union(*own.values())


def test_an_unknown_target_fails_before_anything_is_packaged(tmp_path: Path) -> None:
    with pytest.raises(PackagingError, match="unknown target 'nowhere'"):
        deploy(tmp_path / "absent", id="x", target="nowhere")  # type: ignore[arg-type]
