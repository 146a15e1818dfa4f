"""Starting a server: the API key, the rewards to serve, the app and its listening socket.

The logic behind ``reward-kit serve``, kept here so that the CLI only parses and prints.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from typing import Any

from reward_kit.errors import RewardKitError
from reward_kit.server._settings import API_KEY_ENV, ServerSettings

_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def read_api_key(variable: str | None) -> str | None:
    """The API key from ``variable`` (or RK_ENDPOINT_API_KEY), removed from the environment.

    Removing it keeps the key out of the worker processes that run reward code.

    Raises:
        RewardKitError: ``variable`` was named but is unset or empty.
    """
    name = variable or API_KEY_ENV
    key = os.environ.pop(name, None)
    if variable and not key:
        raise RewardKitError(f"--api-key-env {variable}: the variable is not set or empty")
    return key or None


def forbid_inspection() -> None:
    """Make this process non-dumpable: other processes of the same user (an evaluator run
    without a sandbox) can then read neither its memory nor ``/proc/<pid>/environ``, which
    still holds the API key after it left ``os.environ``."""
    if sys.platform != "linux":
        return
    import ctypes

    pr_set_dumpable = 4
    ctypes.CDLL(None).prctl(pr_set_dumpable, 0, 0, 0, 0)


def load_rewards(function_ref: str | None, metrics_folders: list[str] | None) -> dict[str, Any]:
    """The rewards one server serves at ``POST /evaluate``, by name.

    Args:
        function_ref: A reference (``pkg.mod:fn``, ``path/main.py:fn``) or a registered short
            name, looked up from the current directory.
        metrics_folders: ``NAME=PATH`` specs, used when ``function_ref`` is not given.
    """
    from reward_kit._combine import reward_name
    from reward_kit._loading import load_metrics_folders
    from reward_kit._registry import resolve_reward

    if function_ref:
        reward = resolve_reward(function_ref, os.getcwd())
        return {reward_name(reward, "reward"): reward}
    return load_metrics_folders(metrics_folders or [])


def build_app(
    settings: ServerSettings,
    *,
    function_ref: str | None = None,
    metrics_folders: list[str] | None = None,
    registry: str | None = None,
) -> tuple[Any, str]:
    """The ASGI app for a registry or for the given rewards, and what it serves, in words.

    Raises:
        RewardKitError: the rewards cannot be loaded, or a registry cannot run here (no
            sandbox and no ``insecure_single_tenant``).
    """
    from reward_kit.server._registry import create_registry_app
    from reward_kit.server._single import create_app

    if registry:
        if os.path.exists(registry) and not os.path.isdir(registry):
            raise RewardKitError(
                f"--registry {registry}: not a folder (the registry keeps its "
                "evaluators in a folder; give a new or existing one)"
            )
        try:
            app = create_registry_app(registry, settings)
        except RuntimeError as exc:  # no sandbox here, and no insecure_single_tenant
            raise RewardKitError(str(exc)) from None
        return app, f"registry {os.path.abspath(registry)}"
    rewards = load_rewards(function_ref, metrics_folders)
    return create_app(rewards, settings), f"{', '.join(rewards)} at POST /evaluate"


def listen(host: str, port: int) -> socket.socket:
    """Bind the listening socket before announcing the server, so a busy port is a clear error."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family, reuse_port=False)
    except OSError as exc:
        raise RewardKitError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc} (is another server using "
            "that port? choose another with --port)"
        ) from None
