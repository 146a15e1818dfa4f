"""``deploy()``: the one entry point behind ``reward-kit deploy``, usable from Python too."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from reward_kit._credentials import DEFAULT_API_BASE, CredentialsError, load_credentials
from reward_kit._resource_ids import EVALUATOR_ID as ID_PATTERN
from reward_kit.deploy import _cloud_run, _local, _remote
from reward_kit.deploy._client import FireworksClient
from reward_kit.deploy._package import Package, PackagingError, build_package
from reward_kit.deploy._service import Flow, deploy_to_service

Target = Literal["fireworks", "local-serve", "gcp-cloud-run"]


@dataclass
class DeployResult:
    """What a deployment did (or, with ``dry_run``, would do).

    Attributes:
        evaluator_id: The evaluator's id.
        target: Where it went.
        package: The code and requirements uploaded.
        evaluator: The evaluator resource as the service returned it (fireworks target).
        evaluate_url: Where to POST the wire format (self-hosted registry or local server).
        commands: Commands run or to run (local-serve, gcp-cloud-run).
        key_file: File holding the API key of a local server.
        process: The running local server (local-serve without dry_run).
    """

    evaluator_id: str
    target: str
    package: Package
    dry_run: bool = False
    evaluator: dict[str, Any] | None = None
    evaluate_url: str | None = None
    commands: list[str] = field(default_factory=list)
    key_file: Path | None = None
    process: Any = None


def _folders_for(
    reward_fn_or_folder: Any, metrics_folders: Mapping[str, str | Path] | None
) -> tuple[dict[str, str | Path], str | None]:
    """Metrics folders and the entry (``file.py:function``) for what the caller gave."""
    folders: dict[str, str | Path] = dict(metrics_folders or {})
    if reward_fn_or_folder is None:
        return folders, None
    if isinstance(reward_fn_or_folder, (str, Path)):
        folder = Path(reward_fn_or_folder).expanduser().resolve()
        folders.setdefault(folder.name, folder)
        return folders, None
    info = getattr(reward_fn_or_folder, "__reward_kit__", None)
    function = getattr(reward_fn_or_folder, "__wrapped__", reward_fn_or_folder)
    source = inspect.getsourcefile(function)
    if source is None or "<locals>" in (info.reference if info else function.__qualname__):
        raise PackagingError(f"cannot find the module file of {reward_fn_or_folder!r}")
    file = Path(source).resolve()
    folders.setdefault(file.parent.name, file.parent)
    return folders, f"{file.name}:{function.__qualname__}"


def _locate_ref(function_ref: str) -> tuple[dict[str, str | Path], str]:
    """The folder and entry of a reference given without a metrics folder.

    ``path/to/file.py:fn`` names its file; ``pkg.mod.fn`` (or ``pkg.mod:fn``) is found on
    ``sys.path`` without being imported.
    """
    import importlib.util

    module, _, function = (
        function_ref.rpartition(":") if ":" in function_ref else function_ref.rpartition(".")
    )
    if not module:
        raise PackagingError(
            f"--function-ref {function_ref!r}: give the function's module, as pkg.mod.fn, "
            "pkg.mod:fn or path/file.py:fn (to deploy a built-in reward, import it in a "
            "metrics folder's main.py)"
        )
    if module.endswith(".py") or "/" in module:
        file = Path(module).expanduser().resolve()
    else:
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            spec = None
        if spec is None or not spec.origin or not spec.origin.endswith(".py"):
            raise PackagingError(f"--function-ref {function_ref!r}: cannot find module {module!r}")
        file = Path(spec.origin)
    if not file.is_file() or not function.isidentifier():
        raise PackagingError(f"--function-ref {function_ref!r}: no such file:function")
    return {file.parent.name: file.parent}, f"{file.name}:{function}"


def _entry_from_ref(function_ref: str) -> str:
    """``main.py:fn``, ``mod.fn`` or ``mod:fn`` as a file:function inside the folder."""
    if ":" in function_ref:
        module, _, function = function_ref.rpartition(":")
    else:
        module, _, function = function_ref.rpartition(".")
    if not module or not function:
        raise PackagingError(f"--function-ref {function_ref!r}: expected MODULE.FUNCTION")
    file = module if module.endswith(".py") else module.replace(".", "/") + ".py"
    return f"{file}:{function}"


def deploy(
    reward_fn_or_folder: Any = None,
    *,
    id: str,
    metrics_folders: Mapping[str, str | Path] | None = None,
    display_name: str | None = None,
    description: str | None = None,
    force: bool = False,
    target: Target = "fireworks",
    function_ref: str | None = None,
    dry_run: bool = False,
    api_base: str | None = None,
    account_id: str | None = None,
    api_key: str | None = None,
    flow: Flow = "auto",
    wait: bool = True,
    host: str = "127.0.0.1",
    port: int = 8001,
    output_dir: str | Path | None = None,
    gcp_region: str = "us-central1",
    gcp_project: str | None = None,
    gcp_auth: Literal["api-key", "iam"] = "api-key",
    register: bool = True,
    report: Callable[[str], None] = lambda _: None,
) -> DeployResult:
    """Deploy a reward function as an evaluator.

    Args:
        reward_fn_or_folder: A ``@reward_function`` (its module's folder is uploaded) or a
            metrics folder (holding ``main.py`` with ``evaluate``).
        id: Evaluator id: lower-case letters, digits and '-'.
        metrics_folders: Name -> folder, for several metrics in one evaluator.
        display_name: Shown name (default: the id).
        description: Description (default: generated).
        force: Replace an existing evaluator with this id.
        target: ``fireworks`` (Fireworks, or a self-hosted registry via ``api_base``),
            ``local-serve`` or ``gcp-cloud-run``.
        function_ref: The function inside the folder when it is not ``main.py:evaluate``.
        dry_run: Only work out what would be uploaded, run or written.
        api_base: Service URL (default ``$FIREWORKS_API_BASE`` or Fireworks).
        account_id: Account (default ``$FIREWORKS_ACCOUNT_ID`` or ``~/.fireworks/auth.ini``).
        api_key: Key (default ``$FIREWORKS_API_KEY`` or ``~/.fireworks/auth.ini``).
        flow: ``auto`` (upload if the service offers it), ``upload`` or ``inline``.
        wait: Wait until the evaluator is built (fireworks target).
        host: local-serve: address to bind.
        port: local-serve: port.
        output_dir: gcp-cloud-run: where to write the build context.
        gcp_region: gcp-cloud-run: region.
        gcp_project: gcp-cloud-run: project (default: gcloud's).
        gcp_auth: gcp-cloud-run: ``api-key`` (key in Secret Manager) or ``iam`` (Cloud Run IAM).
        register: gcp-cloud-run: register the service's URL as a remote evaluator with the
            evaluator service (credentials as for ``fireworks``; API-key mode only, since the
            service cannot obtain Google identity tokens).
        report: Called with progress lines.
    """
    if target not in _TARGETS:
        raise PackagingError(f"unknown target {target!r}: fireworks, local-serve or gcp-cloud-run")
    if not ID_PATTERN.match(id):
        raise PackagingError(
            f"evaluator id {id!r} must be 1-63 lower-case letters, digits or '-', starting and "
            "ending with a letter or digit"
        )
    folders, entry = _folders_for(reward_fn_or_folder, metrics_folders)
    if function_ref and not folders:
        folders, entry = _locate_ref(function_ref)
    elif function_ref:
        entry = _entry_from_ref(function_ref)
    package = build_package(folders, entry)
    given: dict[str, Any] = dict(
        display_name=display_name, description=description, force=force, api_base=api_base,
        account_id=account_id, api_key=api_key, flow=flow, wait=wait, host=host, port=port,
        output_dir=output_dir, gcp_region=gcp_region, gcp_project=gcp_project,
        gcp_auth=gcp_auth, register=register,
    )  # fmt: skip
    run, own = _TARGETS[target]
    job = _Job(DeployResult(id, target, package, dry_run=dry_run), folders, entry, report)
    return run(job, **{name: given[name] for name in own})


@dataclass
class _Job:
    """What every target starts from: the result to fill in, the code, progress lines."""

    result: DeployResult
    folders: dict[str, str | Path]
    entry: str | None
    report: Callable[[str], None]


def _to_fireworks(
    job: _Job,
    *,
    api_base: str | None,
    account_id: str | None,
    api_key: str | None,
    flow: Flow,
    wait: bool,
    force: bool,
    display_name: str | None,
    description: str | None,
) -> DeployResult:
    """Upload to Fireworks' evaluator API or a self-hosted registry (``api_base``)."""
    result, evaluator_id = job.result, job.result.evaluator_id
    try:
        credentials = load_credentials(api_key=api_key, account_id=account_id, api_base=api_base)
    except CredentialsError as exc:
        if not result.dry_run:
            raise
        job.report(f"note: the real deploy will need credentials: {exc}")
        return result
    if credentials.api_base != DEFAULT_API_BASE:
        result.evaluate_url = (
            f"{credentials.api_base}/v1/accounts/{credentials.account_id}"
            f"/evaluators/{evaluator_id}:evaluate"
        )
    if result.dry_run:
        return result
    with FireworksClient(credentials) as client:
        result.evaluator = deploy_to_service(
            client, result.package, evaluator_id, force=force, flow=flow, wait=wait,
            report=job.report, display_name=display_name or evaluator_id,
            description=description or f"reward-kit evaluator {evaluator_id}",
        )  # fmt: skip
    return result


def _to_local_serve(job: _Job, *, host: str, port: int) -> DeployResult:
    """Start ``reward-kit serve`` on this machine, with a fresh API key in a file."""
    result = job.result
    folder_map = {name: Path(path) for name, path in job.folders.items()}
    reference = None
    if job.entry:
        (folder,) = folder_map.values()
        file, _, function = job.entry.partition(":")
        reference = f"{folder.resolve() / file}:{function}"
    command = _local.serve_command(folder_map, host, port, reference)
    result.commands = [" ".join(command)]
    result.evaluate_url = f"http://{host}:{port}/evaluate"
    if result.dry_run:
        return result
    result.key_file = _local.write_key(result.evaluator_id)
    result.process = _local.start_local_server(command, result.key_file, f"http://{host}:{port}")
    return result


def _to_cloud_run(
    job: _Job,
    *,
    output_dir: str | Path | None,
    gcp_region: str,
    gcp_project: str | None,
    gcp_auth: Literal["api-key", "iam"],
    register: bool,
    api_base: str | None,
    account_id: str | None,
    api_key: str | None,
    force: bool,
    display_name: str | None,
    description: str | None,
) -> DeployResult:
    """Build context, gcloud commands and, with ``register``, the remote evaluator."""
    result, evaluator_id, report = job.result, job.result.evaluator_id, job.report
    region, project = gcp_region, gcp_project
    register = register and gcp_auth == "api-key"
    context = Path(output_dir or f"cloud-run-{evaluator_id}").resolve()
    if context.exists() and not context.is_dir():
        raise PackagingError(f"--output-dir {output_dir}: is a file; give a folder for the build")
    with_key = gcp_auth == "api-key"
    cloud_run = _cloud_run.plan(evaluator_id, context, region=region, project=project,
                                api_key=with_key)  # fmt: skip
    result.commands = cloud_run.shell_lines()
    if register:
        result.commands.append(
            f"then: register the service URL as remote evaluator {evaluator_id} "
            "(its key as an account secret)"
        )
    if result.dry_run:
        return result
    # Credentials first: a missing key must not surface after a ten-minute build.
    try:
        found = (
            load_credentials(api_key=api_key, account_id=account_id, api_base=api_base)
            if register
            else None
        )
    except CredentialsError as exc:
        raise CredentialsError(
            f"registering the Cloud Run service as a remote evaluator: {exc} "
            "(or pass --no-register to deploy to Cloud Run only)"
        ) from None
    _cloud_run.write_context(result.package, context, api_key=with_key)
    report(f"wrote the build context to {context}")
    import shutil

    if not shutil.which("gcloud"):
        report("gcloud is not installed: run the commands above yourself")
        return result
    key = _cloud_run.run_plan(cloud_run, report)
    url = _cloud_run.service_url(evaluator_id, region=region, project=project)
    result.evaluate_url = f"{url}/evaluate"
    report(f"Cloud Run service {evaluator_id} is at {url}")
    if found is not None:
        with FireworksClient(found) as client:
            result.evaluator = _remote.register_remote(
                client, evaluator_id, result.evaluate_url, key, report=report,
                display_name=display_name or evaluator_id, force=force,
                description=description or f"reward-kit evaluator {evaluator_id} on Cloud Run",
            )  # fmt: skip
    return result


def _own_options(run: Callable[..., DeployResult]) -> tuple[str, ...]:
    """The options a target takes: its keyword-only parameters, named as in ``deploy()``."""
    parameters = inspect.signature(run).parameters.values()
    return tuple(p.name for p in parameters if p.kind is p.KEYWORD_ONLY)


_TARGETS: dict[str, tuple[Callable[..., DeployResult], tuple[str, ...]]] = {
    name: (run, _own_options(run))
    for name, run in (
        ("fireworks", _to_fireworks),
        ("local-serve", _to_local_serve),
        ("gcp-cloud-run", _to_cloud_run),
    )
}
"""Target name -> (how to deploy there, the ``deploy()`` options it takes)."""
