"""``reward-kit serve``: run an evaluator (or a registry of them) as an HTTP service."""

from __future__ import annotations

import argparse
import ipaddress
import os
import socket
import sys
from typing import Any

from reward_kit.cli import _serve_keys
from reward_kit.errors import RewardKitError

_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def register(subparsers: Any) -> None:
    """Add the ``serve`` command."""
    parser = subparsers.add_parser(
        "serve",
        help="serve reward functions over HTTP",
        description=(
            "Serve one evaluator at POST /evaluate (--function-ref or --metrics-folders), or a "
            "registry of evaluators deployed with 'reward-kit deploy' (--registry DIR). "
            "'reward-kit serve keys' manages a registry's per-account API keys."
        ),
    )
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--function-ref", help="reward to serve: pkg.mod:fn, path/main.py:fn, name")
    what.add_argument(
        "--metrics-folders",
        nargs="+",
        metavar="NAME=PATH",
        help="folders whose main.py defines evaluate(); several are averaged",
    )
    what.add_argument("--registry", metavar="DIR", help="serve the evaluator registry kept in DIR")
    parser.add_argument("--host", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument(
        "--api-key-env",
        metavar="VAR",
        help="environment variable holding the API key clients must send "
        "(default: RK_ENDPOINT_API_KEY if set)",
    )
    parser.add_argument("--workers", type=int, help="evaluation worker processes (default: CPUs)")
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="seconds one evaluation may take (30)"
    )
    parser.add_argument(
        "--max-body-bytes", type=int, default=10 * 1024 * 1024, help="largest request (10 MiB)"
    )
    parser.add_argument(
        "--max-upload-bytes",
        type=int,
        default=100 * 1024 * 1024,
        help="largest evaluator archive a registry accepts (100 MiB)",
    )
    parser.add_argument(
        "--no-install-requirements",
        action="store_true",
        help="registry: refuse evaluators that declare requirements instead of installing them",
    )
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help="registry: base URL clients reach the server at, for the upload URLs it hands "
        "out (default: the address each connection reached)",
    )
    parser.add_argument(
        "--insecure-single-tenant",
        action="store_true",
        help="registry: run evaluators without sandboxes (for hosts that forbid the "
        "namespaces sandboxes need) and serve a single account",
    )
    parser.add_argument(
        "--evaluator-memory-mb",
        type=int,
        default=2048,
        help="registry: memory of one evaluator's workers together (2048)",
    )
    parser.add_argument(
        "--evaluator-processes",
        type=int,
        default=256,
        help="registry: processes and threads of one evaluator's workers together (256)",
    )
    parser.add_argument("--access-log", action="store_true", help="log every request")
    parser.set_defaults(handler=run, serve_parser=parser)
    _serve_keys.register(parser.add_subparsers(dest="serve_command", metavar="keys"))


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def read_api_key(variable: str | None) -> str | None:
    """The API key from ``variable`` (or RK_ENDPOINT_API_KEY), removed from the environment.

    Removing it keeps the key out of the worker processes that run reward code.
    """
    from reward_kit.server import API_KEY_ENV

    name = variable or API_KEY_ENV
    key = os.environ.pop(name, None)
    if variable and not key:
        raise RewardKitError(f"--api-key-env {variable}: the variable is not set or empty")
    return key or None


def _forbid_inspection() -> None:
    """Make this process non-dumpable: other processes of the same user (an evaluator run
    without a sandbox) can then read neither its memory nor ``/proc/<pid>/environ``, which
    still holds the API key after it left ``os.environ``."""
    if sys.platform != "linux":
        return
    import ctypes

    pr_set_dumpable = 4
    ctypes.CDLL(None).prctl(pr_set_dumpable, 0, 0, 0, 0)


def _rewards(args: argparse.Namespace) -> dict[str, Any]:
    from reward_kit._combine import reward_name
    from reward_kit._loading import load_reference, parse_metrics_folders
    from reward_kit._registry import resolve_reward

    if args.function_ref:
        reward = resolve_reward(args.function_ref, os.getcwd())
        return {reward_name(reward, "reward"): reward}
    rewards: dict[str, Any] = {}
    for name, path in parse_metrics_folders(args.metrics_folders).items():
        main = os.path.join(os.path.abspath(path), "main.py")
        if not os.path.isfile(main):
            raise RewardKitError(f"--metrics-folders {name}={path}: {main} does not exist")
        rewards[name] = load_reference(f"{main}:evaluate")
    return rewards


def run(args: argparse.Namespace) -> int:
    """Start the server and serve until interrupted."""
    if not (args.function_ref or args.metrics_folders or args.registry):
        args.serve_parser.error(
            "one of the arguments --function-ref --metrics-folders --registry is required"
        )
    try:
        import uvicorn

        from reward_kit.server import ServerSettings, create_app, create_registry_app
    except ImportError as exc:
        raise RewardKitError(
            f"the server needs extra packages ({exc.name} is missing): "
            "pip install 'reward-kit[server]'"
        ) from None
    api_key = read_api_key(args.api_key_env)
    _forbid_inspection()
    host = args.host or "127.0.0.1"
    if not api_key and not _is_loopback(host):
        print(
            f"reward-kit serve: warning: serving on {host} WITHOUT an API key; anyone who can "
            "reach this address can run evaluations (set --api-key-env)",
            file=sys.stderr,
        )
    try:
        settings = ServerSettings(
            api_key=api_key,
            max_body_bytes=args.max_body_bytes,
            max_upload_bytes=args.max_upload_bytes,
            workers=args.workers,
            timeout=args.timeout,
            install_requirements=not args.no_install_requirements,
            public_url=args.public_url,
            insecure_single_tenant=args.insecure_single_tenant,
            evaluator_memory_mb=args.evaluator_memory_mb,
            evaluator_processes=args.evaluator_processes,
        )
    except ValueError as exc:
        raise RewardKitError(str(exc)) from None
    if args.registry:
        try:
            app = create_registry_app(args.registry, settings)
        except RuntimeError as exc:  # no sandbox here, and no --insecure-single-tenant
            raise RewardKitError(str(exc)) from None
        where = f"registry {os.path.abspath(args.registry)}"
    else:
        rewards = _rewards(args)
        app = create_app(rewards, settings)
        where = f"{', '.join(rewards)} at POST /evaluate"
    listener = _listen(host, args.port)
    port = listener.getsockname()[1]
    auth = "API key required" if api_key else "no API key"
    print(f"reward-kit serve: {where} on http://{host}:{port} ({auth})", flush=True)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        access_log=args.access_log,
        log_level="info" if args.access_log else "warning",
    )
    uvicorn.Server(config).run(sockets=[listener])
    return 0


def _listen(host: str, port: int) -> socket.socket:
    """Bind the listening socket before announcing the server, so a busy port is a clear error."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family, reuse_port=False)
    except OSError as exc:
        raise RewardKitError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc} (is another server using "
            "that port? choose another with --port)"
        ) from None
