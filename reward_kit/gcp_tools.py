"""Google Cloud Run helpers by reward-kit's documented names (``reward_kit.gcp_tools``).

The steps of ``reward-kit deploy --target gcp-cloud-run``, one call each, run with the ``gcloud``
(or ``docker``) command line: an Artifact Registry repository, an image built from a Dockerfile
(see :mod:`reward_kit.packaging`), a Secret Manager secret and the Cloud Run service.

Every failure raises :class:`reward_kit.deploy.DeployError` naming the command, its exit status
and what it printed; nothing is reported as ``False`` or ``None``. Secret values go to
``gcloud`` on its standard input, never to a file or a command line. ``dry_run=True`` runs no
command at all (the commands are logged at INFO level) and returns placeholders.
"""

from __future__ import annotations

import logging
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from reward_kit.deploy._cloud_run import service_url
from reward_kit.deploy._package import Package, collect_files
from reward_kit.deploy._service import DeployError

__all__ = [
    "DeployError",
    "build_and_push_docker_image",
    "deploy_to_cloud_run",
    "ensure_artifact_registry_repo_exists",
    "ensure_gcp_secret",
]

logger = logging.getLogger(__name__)


def _run(
    command: list[str], *, stdin: str | None = None, check: bool = True, dry_run: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run ``command``; a failure raises unless ``check`` is False."""
    line = ("<secret on stdin> | " if stdin is not None else "") + shlex.join(command)
    if dry_run:
        logger.info("dry run, not running: %s", line)
        return subprocess.CompletedProcess(command, 0, "", "")
    logger.info("running: %s", line)
    try:
        done = subprocess.run(command, input=stdin, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise DeployError(
            f"{command[0]} is not installed or not on PATH (needed for: {shlex.join(command[:4])})"
        ) from None
    if check and done.returncode != 0:
        said = (done.stderr.strip() or done.stdout.strip() or "no output")[-500:]
        raise DeployError(f"{shlex.join(command[:4])} failed (exit {done.returncode}): {said}")
    return done


def _not_found(done: subprocess.CompletedProcess[str]) -> bool:
    text = done.stderr.lower()
    return "not_found" in text or "not found" in text or "failed to find" in text


def _dict_flag(values: Mapping[str, str]) -> str:
    """``K=V,K2=V2`` as gcloud reads dictionaries (another delimiter when a value has a comma)."""
    pairs = [f"{key}={value}" for key, value in values.items()]
    if not any("," in pair for pair in pairs):
        return ",".join(pairs)
    delimiter = next(d for d in "@#|;~^" if not any(d in pair for pair in pairs))
    return f"^{delimiter}^" + delimiter.join(pairs)


def ensure_artifact_registry_repo_exists(
    project_id: str, region: str, repo_name: str, dry_run: bool = False
) -> bool:
    """Create the Docker repository ``repo_name`` in Artifact Registry unless it exists.

    Returns:
        True (failures raise; a describe failure other than "not found" is one).
    """
    where = [f"--project={project_id}", f"--location={region}"]
    describe = ["gcloud", "artifacts", "repositories", "describe", repo_name, *where]
    if dry_run:
        _run(describe, dry_run=True)
    else:
        done = _run(describe, check=False)
        if done.returncode == 0:
            return True
        if not _not_found(done):
            _run(describe)  # raises with gcloud's message
    _run(
        ["gcloud", "artifacts", "repositories", "create", repo_name, *where,
         "--repository-format=docker", "--description=reward-kit evaluators"],
        dry_run=dry_run,
    )  # fmt: skip
    return True


def _stage(build_context_dir: str, dockerfile_content: str, into: Path) -> None:
    """Copy the context as ``reward-kit deploy`` packages a folder (no secrets), Dockerfile in."""
    source = Path(build_context_dir).expanduser().resolve()
    if not source.is_dir():
        raise DeployError(f"build context {build_context_dir} is not a folder")
    package = Package()
    collect_files(source, "context", package)
    for name, path in package.files.items():
        target = into / name.split("/", 1)[1]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    for excluded in package.excluded:
        logger.info("left out of the build context: %s", excluded.split("/", 1)[1])
    (into / "Dockerfile").write_text(dockerfile_content)


def build_and_push_docker_image(
    image_name_tag: str,
    dockerfile_content: str,
    build_context_dir: str,
    gcp_project_id: str | None = None,
    dry_run: bool = False,
) -> bool:
    """Build ``image_name_tag`` from ``dockerfile_content`` and push it.

    The context is a copy of ``build_context_dir`` without what ``reward-kit deploy`` never
    uploads (``.env``, keys, credentials, ``.gitignore``d files, caches, virtual environments),
    with the Dockerfile added; ``build_context_dir`` itself is not changed.

    Args:
        image_name_tag: ``REGION-docker.pkg.dev/PROJECT/REPO/NAME:TAG``.
        dockerfile_content: The Dockerfile (see :mod:`reward_kit.packaging`).
        build_context_dir: The folder to build.
        gcp_project_id: With a project, Cloud Build builds and pushes (``gcloud builds submit``);
            without one, the local ``docker`` builds and pushes.
        dry_run: Log the commands without running them.

    Returns:
        True (failures raise).
    """
    with tempfile.TemporaryDirectory(prefix="reward-kit-build-") as staging:
        context = Path(staging)
        _stage(build_context_dir, dockerfile_content, context)
        if gcp_project_id:
            _run(
                ["gcloud", "builds", "submit", str(context), f"--tag={image_name_tag}",
                 f"--project={gcp_project_id}"],
                dry_run=dry_run,
            )  # fmt: skip
        else:
            _run(["docker", "build", "-t", image_name_tag, str(context)], dry_run=dry_run)
            _run(["docker", "push", image_name_tag], dry_run=dry_run)
    return True


def _secret_reference(env_name: str, reference: str) -> str:
    """``SECRET:VERSION`` from ``projects/P/secrets/SECRET/versions/VERSION``, ``SECRET:V``
    or ``SECRET``."""
    parts = reference.split("/")
    if (
        len(parts) == 6
        and parts[0] == "projects"
        and parts[2] == "secrets"
        and parts[4] == "versions"
    ):
        return f"{parts[3]}:{parts[5]}"
    if reference and "/" not in reference and not reference.startswith(":"):
        return reference if ":" in reference else f"{reference}:latest"
    raise ValueError(
        f"secrets_to_mount[{env_name!r}] = {reference!r}: expected "
        "projects/PROJECT/secrets/SECRET/versions/VERSION, SECRET:VERSION or SECRET"
    )


def deploy_to_cloud_run(
    service_name: str,
    image_name_tag: str,
    gcp_project_id: str,
    gcp_region: str,
    allow_unauthenticated: bool = True,
    env_vars: Mapping[str, str] | None = None,
    secrets_to_mount: Mapping[str, str] | None = None,
    service_port: int = 8080,
    dry_run: bool = False,
) -> str:
    """Deploy the image as the Cloud Run service ``service_name`` and return its URL.

    Args:
        allow_unauthenticated: Open to the internet (the server checks its own API key);
            False leaves calls to IAM.
        env_vars: Environment variables of the service.
        secrets_to_mount: Environment variable -> Secret Manager secret
            (``projects/P/secrets/S/versions/V`` as :func:`ensure_gcp_secret` returns, ``S:V``
            or ``S``); a malformed one raises ``ValueError`` rather than being skipped.
        service_port: The port the container listens on.
        dry_run: Log the commands without running them; returns
            ``https://SERVICE.dry-run.invalid``.

    Returns:
        The service's URL, as ``gcloud run services describe`` reports it.
    """
    mounts = {name: _secret_reference(name, ref) for name, ref in (secrets_to_mount or {}).items()}
    command = ["gcloud", "run", "deploy", service_name, f"--image={image_name_tag}",
               f"--region={gcp_region}", f"--project={gcp_project_id}", f"--port={service_port}",
               "--allow-unauthenticated" if allow_unauthenticated
               else "--no-allow-unauthenticated"]  # fmt: skip
    if env_vars:
        command.append(f"--set-env-vars={_dict_flag(env_vars)}")
    if mounts:
        command.append(f"--update-secrets={_dict_flag(mounts)}")
    _run(command, dry_run=dry_run)
    if dry_run:
        return f"https://{service_name}.dry-run.invalid"
    return service_url(service_name, region=gcp_region, project=gcp_project_id)


def ensure_gcp_secret(
    project_id: str,
    secret_id: str,
    secret_value: str,
    region: str | None = None,
    labels: Mapping[str, str] | None = None,
    dry_run: bool = False,
) -> str:
    """Store ``secret_value`` as a new version of the Secret Manager secret ``secret_id``.

    The secret is created when it does not exist (replicated automatically, or only in
    ``region`` when one is given, with ``labels``).

    Returns:
        The version's resource name, ``projects/P/secrets/S/versions/N`` (in a dry run,
        ``.../versions/latest``).
    """
    if not secret_value:
        raise ValueError(f"secret {secret_id}: the value is empty")
    project = f"--project={project_id}"
    describe = ["gcloud", "secrets", "describe", secret_id, project]
    missing = True
    if not dry_run:
        done = _run(describe, check=False)
        if done.returncode != 0 and not _not_found(done):
            _run(describe)  # raises with gcloud's message
        missing = done.returncode != 0
    if missing:
        replication = (
            ["--replication-policy=user-managed", f"--locations={region}"] if region
            else ["--replication-policy=automatic"]
        )  # fmt: skip
        label_flag = [f"--labels={_dict_flag(labels)}"] if labels else []
        _run(["gcloud", "secrets", "create", secret_id, project, *replication, *label_flag],
             dry_run=dry_run)  # fmt: skip
    added = _run(
        ["gcloud", "secrets", "versions", "add", secret_id, project, "--data-file=-",
         "--format=value(name)"],
        stdin=secret_value, dry_run=dry_run,
    )  # fmt: skip
    if dry_run:
        return f"projects/{project_id}/secrets/{secret_id}/versions/latest"
    version = added.stdout.strip()
    if "/versions/" not in version:
        raise DeployError(
            f"gcloud secrets versions add {secret_id} did not report the new version "
            f"(output: {version or 'none'})"
        )
    return version
