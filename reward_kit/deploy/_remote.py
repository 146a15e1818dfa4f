"""Register an evaluator that runs elsewhere (a Cloud Run service) with an evaluator service.

The evaluator registered is a small forwarder: its ``main.py`` POSTs each request, in the wire
format, to the service's ``/evaluate`` and returns the answer. The service's API key is stored
as an account secret, which the forwarder reads from its environment, so it is never part of
the uploaded code.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reward_kit.deploy._client import FireworksClient
from reward_kit.deploy._package import build_package
from reward_kit.deploy._service import deploy_to_service

_FORWARDER = '''"""Forwards each evaluation to the reward-kit evaluator at {url}."""

import os

import httpx

URL = {url!r}
KEY_VARIABLE = {key_variable!r}


def _plain(value):
    return value.model_dump(exclude_none=True) if hasattr(value, "model_dump") else value


def evaluate(messages, ground_truth=None, tools=None, **kwargs):
    """Score the conversation with the remote evaluator; its EvaluateResult, as JSON."""
    key = os.environ.get(KEY_VARIABLE) if KEY_VARIABLE else None
    headers = {{"Authorization": f"Bearer {{key}}"}} if key else {{}}
    body = {{"messages": [_plain(message) for message in messages], "ground_truth": ground_truth}}
    if tools is not None:
        body["tools"] = tools
    if kwargs:
        body["kwargs"] = kwargs
    response = httpx.post(URL, json=body, headers=headers, timeout=300)
    response.raise_for_status()
    return response.json()
'''


def key_secret_name(evaluator_id: str) -> str:
    """The account secret holding the API key of ``evaluator_id``'s remote service."""
    return "RK_REMOTE_KEY_" + evaluator_id.upper().replace("-", "_")


def forwarder_source(evaluate_url: str, key_variable: str | None) -> str:
    """The ``main.py`` of a forwarder to ``evaluate_url`` (key from ``$key_variable``)."""
    return _FORWARDER.format(url=evaluate_url, key_variable=key_variable)


def register_remote(
    client: FireworksClient,
    evaluator_id: str,
    evaluate_url: str,
    api_key: str | None,
    *,
    display_name: str,
    description: str,
    force: bool = False,
    report: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Create the evaluator ``evaluator_id`` forwarding to ``evaluate_url``; the evaluator.

    Args:
        client: The evaluator service.
        evaluator_id: The evaluator's id (the same as the remote service's).
        evaluate_url: Where the remote service takes the wire format.
        api_key: The remote service's key (stored as an account secret), or None.
        display_name: Shown name.
        description: Description.
        force: Replace an existing evaluator with this id.
        report: Called with progress lines.
    """
    key_variable = None
    if api_key is not None:
        key_variable = key_secret_name(evaluator_id)
        client.create_secret(key_variable, api_key)
        report(f"stored the service's API key as the account secret {key_variable}")
    with tempfile.TemporaryDirectory(prefix="rk-forwarder-") as folder:
        main = Path(folder) / "main.py"
        main.write_text(forwarder_source(evaluate_url, key_variable))
        (Path(folder) / "requirements.txt").write_text("httpx>=0.27\n")
        package = build_package({evaluator_id: Path(folder)}, None)
        report(f"registering {evaluate_url} as the remote evaluator {evaluator_id}")
        return deploy_to_service(
            client, package, evaluator_id, display_name=display_name,
            description=description, force=force, report=report,
        )  # fmt: skip
