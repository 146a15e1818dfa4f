"""Deploying a package to an evaluator service: Fireworks, or a self-hosted registry.

The newer flow creates the evaluator (``evaluatorsV2``), uploads the code as a ``.tar.gz`` to
a signed URL and asks for validation; a service that does not offer it (404) gets the older
form with the code inline. Either way the evaluator is then polled until it is ACTIVE or its
build failed, and which of the two is reported.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Literal

from reward_kit.deploy._client import ApiError, FireworksClient
from reward_kit.deploy._package import Package
from reward_kit.errors import RewardKitError

Flow = Literal["auto", "upload", "inline"]
_TERMINAL = frozenset({"ACTIVE", "BUILD_FAILED"})


class DeployError(RewardKitError):
    """The evaluator could not be deployed; the message says at which step and why."""


def evaluator_spec(
    package: Package, display_name: str, description: str, *, inline: bool
) -> dict[str, Any]:
    """The ``evaluator`` object of a create request for ``package``."""
    criteria: list[dict[str, Any]] = []
    for name, reference in package.entries.items():
        file, _, function = reference.partition(":")
        snippets: dict[str, Any] = {
            "language": "python",
            "entryFile": file.split("/", 1)[1],
            "entryFunc": function,
        }
        if inline:
            snippets["fileContents"] = package.file_contents(name)
        criteria.append(
            {"type": "CODE_SNIPPETS", "name": name, "description": f"Metric: {name}",
             "codeSnippets": snippets}
        )  # fmt: skip
    spec: dict[str, Any] = {
        "displayName": display_name,
        "description": description,
        "multiMetrics": len(criteria) > 1,
        "criteria": criteria,
        "requirements": package.requirements_text(),
        "rollupSettings": {"skipRollup": True},
    }
    if len(package.entries) == 1:
        spec["entryPoint"] = next(iter(package.entries.values())).replace(":", "::")
    return spec


def wait_until_built(
    client: FireworksClient,
    evaluator_id: str,
    *,
    timeout: float = 900.0,
    interval: float = 0.5,
    report: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Poll the evaluator until it is ACTIVE; raises DeployError if its build failed."""
    deadline = time.monotonic() + timeout
    state = ""
    while True:
        evaluator = client.get_evaluator(evaluator_id)
        if evaluator is None:
            raise DeployError(f"evaluator {evaluator_id} disappeared while it was being built")
        if evaluator.get("state") != state:
            state = str(evaluator.get("state"))
            report(f"evaluator {evaluator_id}: {state}")
        if state in _TERMINAL:
            break
        if time.monotonic() > deadline:
            raise DeployError(f"evaluator {evaluator_id} is still {state} after {timeout:g} s")
        time.sleep(interval)
        interval = min(interval * 1.5, 10.0)
    if state == "BUILD_FAILED":
        message = (evaluator.get("status") or {}).get("message") or "no message"
        raise DeployError(f"evaluator {evaluator_id} failed to build: {message}")
    return evaluator


def _replace(client: FireworksClient, evaluator_id: str, report: Callable[[str], None]) -> None:
    if client.get_evaluator(evaluator_id) is None:
        return
    report(f"evaluator {evaluator_id} exists; deleting it (--force)")
    client.delete_evaluator(evaluator_id)
    deadline = time.monotonic() + 120
    while client.get_evaluator(evaluator_id) is not None:
        if time.monotonic() > deadline:
            raise DeployError(f"evaluator {evaluator_id} was not deleted within 120 s")
        time.sleep(1.0)


def deploy_to_service(
    client: FireworksClient,
    package: Package,
    evaluator_id: str,
    *,
    display_name: str,
    description: str,
    force: bool = False,
    flow: Flow = "auto",
    wait: bool = True,
    report: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Create (or with ``force`` replace) the evaluator and wait until it is built."""
    if force:
        _replace(client, evaluator_id, report)
    try:
        if flow in ("auto", "upload"):
            try:
                spec = evaluator_spec(package, display_name, description, inline=False)
                created = client.create_evaluator(evaluator_id, spec, upload=True)
            except ApiError as exc:
                if exc.status_code != 404 or flow == "upload":
                    raise
                report("the service has no upload flow (evaluatorsV2); sending the code inline")
                flow = "inline"
            else:
                archive = package.archive_bytes(evaluator_id)
                report(f"uploading {len(package.files)} files ({len(archive)} bytes, gzipped)")
                try:
                    client.upload_code(evaluator_id, f"{evaluator_id}.tar.gz", archive)
                except ApiError as exc:
                    raise DeployError(
                        f"evaluator {evaluator_id} was created but its code was not accepted "
                        f"({exc}); fix it and deploy again with --force"
                    ) from None
        if flow == "inline":
            spec = evaluator_spec(package, display_name, description, inline=True)
            created = client.create_evaluator(evaluator_id, spec, upload=False)
    except ApiError as exc:
        if exc.status_code == 409:
            raise DeployError(
                f"evaluator {evaluator_id} already exists; pass --force to replace it"
            ) from None
        raise DeployError(f"deploying {evaluator_id}: {exc}") from None
    report(f"created {created.get('name', evaluator_id)}")
    return wait_until_built(client, evaluator_id, report=report) if wait else created


def preview_on_service(
    client: FireworksClient, package: Package, samples: list[dict[str, Any]], max_samples: int = 5
) -> dict[str, Any]:
    """Score ``samples`` with the package's code on the service, without deploying it."""
    spec = evaluator_spec(package, "preview", "preview", inline=True)
    try:
        return client.preview_evaluator(spec, samples, max_samples)
    except ApiError as exc:
        raise DeployError(f"preview failed: {exc}") from None
