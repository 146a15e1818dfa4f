"""``reward-kit deploy``: register a reward function as an evaluator (Fireworks or self-hosted)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any

from reward_kit.cli._flags import port
from reward_kit.errors import RewardKitError


def register(subparsers: Any) -> None:
    """Add the ``deploy`` command."""
    parser = subparsers.add_parser(
        "deploy",
        help="deploy a reward function as an evaluator",
        description=(
            "Package metrics folders (all their files, honouring .gitignore, never secrets) and "
            "deploy them: to Fireworks or a 'reward-kit serve --registry' server "
            "(FIREWORKS_API_BASE / --api-base), as a local server, or to Google Cloud Run."
        ),
    )
    parser.add_argument("--id", required=True, help="evaluator id (lower-case, digits, '-')")
    parser.add_argument(
        "--metrics-folders",
        nargs="+",
        metavar="NAME=PATH",
        default=[],
        help="folders whose main.py defines evaluate(), each under a metric name",
    )
    parser.add_argument("--display-name", help="shown name (default: the id)")
    parser.add_argument("--description", help="description")
    parser.add_argument("--force", action="store_true", help="replace an existing evaluator")
    parser.add_argument(
        "--target",
        choices=["fireworks", "local-serve", "gcp-cloud-run"],
        help="where to deploy (default: default_deployment_target of rewardkit.yaml, else "
        "fireworks)",
    )
    parser.add_argument(
        "--function-ref",
        help="the function: inside the folder when not main.py:evaluate, or alone "
        "(pkg.mod.fn, path/file.py:fn) to deploy its module's folder",
    )
    parser.add_argument("--dry-run", action="store_true", help="show what would be done, only")
    parser.add_argument("--api-base", help="service URL (default: $FIREWORKS_API_BASE)")
    parser.add_argument("--account-id", help="account (default: $FIREWORKS_ACCOUNT_ID)")
    parser.add_argument(
        "--flow",
        choices=["auto", "upload", "inline"],
        default="auto",
        help="upload a .tar.gz (auto: when the service offers it) or send the code inline",
    )
    parser.add_argument("--no-wait", action="store_true", help="do not wait until ACTIVE")
    parser.add_argument("--host", default="127.0.0.1", help="local-serve: address to bind")
    parser.add_argument("--port", type=port, default=8001, help="local-serve: port")
    parser.add_argument("--output-dir", help="gcp-cloud-run: build context folder")
    parser.add_argument(
        "--gcp-region",
        help="gcp-cloud-run: region (default: gcp_cloud_run.region of rewardkit.yaml, else "
        "us-central1)",
    )
    parser.add_argument(
        "--gcp-project", help="gcp-cloud-run: project (default: gcp_cloud_run.project_id)"
    )
    parser.add_argument(
        "--gcp-auth-mode",
        "--gcp-auth",
        dest="gcp_auth",
        choices=["api-key", "iam"],
        help="gcp-cloud-run: API key in Secret Manager, or Cloud Run IAM (default: "
        "gcp_cloud_run.default_auth_mode of rewardkit.yaml, else api-key)",
    )
    parser.add_argument(
        "--no-register",
        action="store_true",
        help="gcp-cloud-run: do not register the service URL as a remote evaluator (default: "
        "register it with the evaluator service, so RFT jobs can call it; needs its credentials)",
    )
    parser.add_argument(
        "--providers",
        metavar="JSON",
        help='reward-kit\'s model providers, e.g. \'[{"providerType": "anthropic", '
        '"modelId": "claude-3-sonnet-20240229"}]\': checked and shown; the model an RFT job '
        "trains is chosen by the job ('reward-kit rft create --base-model')",
    )
    parser.add_argument(
        "--verbose", action="store_true", help="show each step and request as it happens"
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="settings file (default: the nearest rewardkit.yaml from the working directory)",
    )
    parser.set_defaults(handler=run)


def parse_providers(text: str) -> list[dict[str, str]]:
    """``--providers`` as reward-kit documents it: a JSON list of providerType/modelId objects.

    Raises:
        RewardKitError: not JSON, or not a list of such objects.
    """
    try:
        providers = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RewardKitError(f"--providers is not JSON: {exc.msg}") from None
    if not isinstance(providers, list) or not all(
        isinstance(item, dict)
        and isinstance(item.get("providerType"), str)
        and isinstance(item.get("modelId"), str)
        for item in providers
    ):
        raise RewardKitError(
            '--providers must be a JSON list such as \'[{"providerType": "anthropic", '
            '"modelId": "claude-3-sonnet-20240229"}]\''
        )
    return providers


def _say(line: str) -> None:
    print(f"reward-kit deploy: {line}", flush=True)


def run(args: argparse.Namespace) -> int:
    """Deploy, print what happened, and for local-serve keep the server running."""
    from reward_kit._loading import parse_metrics_folders
    from reward_kit.config import load_config
    from reward_kit.deploy import deploy

    folders = parse_metrics_folders(args.metrics_folders)
    if not folders and not args.function_ref:
        raise RewardKitError(
            "give --metrics-folders NAME=PATH (the folder with main.py) or --function-ref"
        )
    settings = load_config(args.config)
    gcp = settings.gcp_cloud_run
    if args.target is None:
        default = settings.default_deployment_target
        args.target = {"local": "local-serve"}.get(default, default)
        if args.target not in ("fireworks", "local-serve", "gcp-cloud-run"):
            raise RewardKitError(
                f"rewardkit.yaml: default_deployment_target {default!r} is not a deploy "
                "target here; give --target fireworks, local-serve or gcp-cloud-run"
            )
    auth = args.gcp_auth or gcp.default_auth_mode
    if auth not in ("api-key", "iam"):
        raise RewardKitError(f"gcp auth mode {auth!r} is not supported: use api-key or iam")
    if args.target == "gcp-cloud-run" and auth == "iam" and not args.no_register:
        _say(
            "IAM auth: the service is not registered as a remote evaluator (the evaluator "
            "service cannot sign Google identity tokens); use --gcp-auth-mode api-key for that"
        )
    if args.providers is not None:
        for provider in parse_providers(args.providers):
            _say(f"provider {provider['providerType']}/{provider['modelId']} noted (not sent)")
    if args.verbose:
        logging.basicConfig(level=logging.DEBUG, format="reward-kit deploy: %(message)s")
    result = deploy(
        id=args.id,
        metrics_folders=folders,
        display_name=args.display_name,
        description=args.description,
        force=args.force,
        target=args.target,
        function_ref=args.function_ref,
        dry_run=args.dry_run,
        api_base=args.api_base,
        account_id=args.account_id,
        flow=args.flow,
        wait=not args.no_wait,
        host=args.host,
        port=args.port,
        output_dir=args.output_dir,
        gcp_region=args.gcp_region or gcp.region or "us-central1",
        gcp_project=args.gcp_project or gcp.project_id,
        gcp_auth=auth,
        register=not args.no_register,
        report=_say,
    )
    package = result.package
    if args.dry_run:
        _say(f"dry run of target {result.target}: nothing was sent, started or written")
        print(f"would upload {len(package.listing())} files (under {args.id}/):")
        for name in package.listing():
            print(f"  {name}")
        print(f"requirements: {', '.join(package.requirements) or '(none)'}")
        if package.excluded:
            print("left out:")
            for line in package.excluded:
                print(f"  {line}")
    for command in result.commands:
        print(f"  {command}")
    if result.evaluator is not None:
        _say(f"{result.evaluator.get('name')} is {result.evaluator.get('state')}")
    if result.evaluate_url and not args.dry_run:
        _say(f"evaluate with POST {result.evaluate_url}")
    if result.process is not None:
        return _keep_serving(result)
    return 0


def _keep_serving(result: Any) -> int:
    _say(f"serving {result.evaluator_id} at POST {result.evaluate_url}")
    _say(f"its API key is in {result.key_file} (send it as 'Authorization: Bearer <key>')")
    _say(f'e.g. RewardFunction(mode="remote", endpoint="{result.evaluate_url}", '
         f"api_key=open('{result.key_file}').read())")  # fmt: skip
    _say("press Ctrl-C to stop")
    try:
        return int(result.process.wait())
    except KeyboardInterrupt:
        result.process.terminate()
        result.process.wait(timeout=30)
        print("reward-kit deploy: local server stopped", file=sys.stderr)
        return 0
