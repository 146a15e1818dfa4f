"""``reward-kit serve``: run an evaluator (or a registry of them) as an HTTP service."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from reward_kit.cli import _serve_keys
from reward_kit.cli._flags import port, positive_float, positive_int
from reward_kit.errors import RewardKitError


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
    parser.add_argument("--host", default="127.0.0.1", help="address to bind")
    parser.add_argument("--port", type=port, default=8000, help="port")
    parser.add_argument(
        "--api-key-env",
        metavar="VAR",
        help="environment variable holding the API key clients must send "
        "(default: RK_ENDPOINT_API_KEY if set)",
    )
    parser.add_argument(
        "--workers", type=positive_int, help="evaluation worker processes (default: CPUs)"
    )
    parser.add_argument(
        "--timeout", type=positive_float, default=30.0, help="seconds one evaluation may take"
    )
    parser.add_argument(
        "--max-body-bytes",
        type=positive_int,
        default=10 * 1024 * 1024,
        help="largest request body, in bytes",
    )
    parser.add_argument(
        "--max-upload-bytes",
        type=positive_int,
        default=100 * 1024 * 1024,
        help="largest evaluator archive a registry accepts, in bytes",
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
        type=positive_int,
        default=2048,
        help="registry: memory of one evaluator's workers together, in MB",
    )
    parser.add_argument(
        "--evaluator-processes",
        type=positive_int,
        default=256,
        help="registry: processes and threads of one evaluator's workers together",
    )
    parser.add_argument("--access-log", action="store_true", help="log every request")
    parser.set_defaults(handler=run, serve_parser=parser)
    _serve_keys.register(parser.add_subparsers(dest="serve_command", metavar="keys"))


def run(args: argparse.Namespace) -> int:
    """Start the server and serve until interrupted."""
    if not (args.function_ref or args.metrics_folders or args.registry):
        args.serve_parser.error(
            "one of the arguments --function-ref --metrics-folders --registry is required"
        )
    try:
        import uvicorn

        from reward_kit.server import ServerSettings
        from reward_kit.server._launch import (
            build_app,
            forbid_inspection,
            is_loopback,
            listen,
            read_api_key,
        )
    except ImportError as exc:
        raise RewardKitError(
            f"the server needs extra packages ({exc.name} is missing): "
            "pip install 'reward-kit[server]'"
        ) from None
    api_key = read_api_key(args.api_key_env)
    forbid_inspection()
    host = args.host
    if not api_key and not is_loopback(host):
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
    app, where = build_app(
        settings,
        function_ref=args.function_ref,
        metrics_folders=args.metrics_folders,
        registry=args.registry,
    )
    listener = listen(host, args.port)
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
