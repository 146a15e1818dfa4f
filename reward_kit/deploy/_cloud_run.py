"""The ``gcp-cloud-run`` target: a container build context and the ``gcloud`` commands for it.

The context holds the evaluator's packaged code, a copy of reward-kit and a Dockerfile running
``reward-kit serve``. In API-key mode a fresh key goes to Secret Manager through ``gcloud``'s
standard input and reaches the service as an environment variable: it is never written to a
file of the context, nor printed. Once deployed, the service's URL is read back from
``gcloud`` so that it can be registered as a remote evaluator.
"""

from __future__ import annotations

import secrets
import shlex
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import reward_kit
from reward_kit.deploy._package import Package
from reward_kit.deploy._service import DeployError

SERVER_PACKAGES = ("fastapi>=0.110", "uvicorn>=0.29", "pydantic>=2.6", "httpx>=0.27")
KEY_VARIABLE = "RK_ENDPOINT_API_KEY"


@dataclass
class CloudRunPlan:
    """What the target writes and runs.

    Attributes:
        context: The build context folder (Dockerfile inside).
        commands: The gcloud commands, in order.
        secret_command: Index in ``commands`` of the one that reads the key from stdin.
    """

    context: Path
    commands: list[list[str]] = field(default_factory=list)
    secret_command: int | None = None

    def shell_lines(self) -> list[str]:
        """The commands as shell lines (the key command reads the key from stdin)."""
        lines = []
        for index, command in enumerate(self.commands):
            line = shlex.join(command)
            if index == self.secret_command:
                line = f"<generate a key> | {line}"
            lines.append(line)
        return lines


def dockerfile(
    entries: dict[str, str], api_key: bool, *, python_version: str = "3.11", port: int = 8080
) -> str:
    """A Dockerfile serving the evaluator on ``$PORT`` (Cloud Run sets it; else ``port``)."""
    if all(reference.endswith("/main.py:evaluate") for reference in entries.values()):
        folders = " ".join(
            f"{name}=/app/evaluator/{ref.split('/', 1)[0]}" for name, ref in entries.items()
        )
        what = f"--metrics-folders {folders}"
    else:
        (reference,) = entries.values()
        what = f"--function-ref /app/evaluator/{reference}"
    key = f" --api-key-env {KEY_VARIABLE}" if api_key else ""
    packages = " ".join(f'"{package}"' for package in SERVER_PACKAGES)
    return (
        f"FROM python:{python_version}-slim\n"
        "WORKDIR /app\n"
        "COPY evaluator/requirements.txt /app/requirements.txt\n"
        f"RUN pip install --no-cache-dir {packages} -r /app/requirements.txt\n"
        "COPY reward_kit /app/reward_kit\n"
        "COPY evaluator /app/evaluator\n"
        f"ENV PYTHONPATH=/app PORT={port}\n"
        "RUN useradd --create-home evaluator\n"
        "USER evaluator\n"
        f"CMD python -m reward_kit serve {what} "
        f"--host 0.0.0.0 --port ${{PORT}}{key}\n"
    )


def write_context(package: Package, context: Path, api_key: bool) -> None:
    """Write the build context: Dockerfile, evaluator code and a copy of reward-kit."""
    if context.exists() and any(context.iterdir()):
        raise DeployError(f"output folder {context} is not empty; choose another --output-dir")
    (context / "evaluator").mkdir(parents=True, exist_ok=True)
    for name, path in package.files.items():
        target = context / "evaluator" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    (context / "evaluator" / "requirements.txt").write_text(package.requirements_text())
    source = Path(reward_kit.__file__).parent
    shutil.copytree(source, context / "reward_kit", ignore=shutil.ignore_patterns("__pycache__"))
    (context / "Dockerfile").write_text(dockerfile(package.entries, api_key))


def plan(
    evaluator_id: str, context: Path, *, region: str, project: str | None, api_key: bool
) -> CloudRunPlan:
    """The gcloud commands deploying ``context`` as the Cloud Run service ``evaluator_id``."""
    project_flag = [f"--project={project}"] if project else []
    result = CloudRunPlan(context)
    deploy = ["gcloud", "run", "deploy", evaluator_id, f"--source={context}",
              f"--region={region}", *project_flag]  # fmt: skip
    if api_key:
        secret = f"{evaluator_id}-api-key"
        result.commands.append(
            ["gcloud", "secrets", "create", secret, "--replication-policy=automatic",
             "--data-file=-", *project_flag]
        )  # fmt: skip
        result.secret_command = 0
        deploy += ["--allow-unauthenticated", f"--set-secrets={KEY_VARIABLE}={secret}:latest"]
    else:
        deploy += ["--no-allow-unauthenticated"]
    result.commands.append(deploy)
    return result


def run_plan(cloud_run: CloudRunPlan, report: Callable[[str], None]) -> str | None:
    """Run the commands; the key command gets a fresh key on its standard input.

    Returns:
        The key given to Secret Manager (API-key mode), else None.
    """
    key = None
    for index, command in enumerate(cloud_run.commands):
        report(f"running: {cloud_run.shell_lines()[index]}")
        if index == cloud_run.secret_command:
            key = secrets.token_urlsafe(32)
        stdin = key if index == cloud_run.secret_command else None
        completed = subprocess.run(command, input=stdin, text=True, check=False)
        if completed.returncode != 0:
            raise DeployError(f"{shlex.join(command[:3])} failed (exit {completed.returncode})")
    return key


def service_url(evaluator_id: str, *, region: str, project: str | None) -> str:
    """The URL of the deployed Cloud Run service, as ``gcloud`` reports it."""
    project_flag = [f"--project={project}"] if project else []
    command = ["gcloud", "run", "services", "describe", evaluator_id, f"--region={region}",
               *project_flag, "--format=value(status.url)"]  # fmt: skip
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    url = completed.stdout.strip()
    if completed.returncode != 0 or not url.startswith(("https://", "http://")):
        raise DeployError(
            f"could not read the URL of Cloud Run service {evaluator_id} "
            f"(gcloud run services describe exited {completed.returncode}: "
            f"{completed.stderr.strip()[-300:] or url or 'no output'})"
        )
    return url.rstrip("/")
