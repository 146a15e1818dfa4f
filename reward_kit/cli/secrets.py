"""``reward-kit secrets``: secrets of the evaluator service, read by evaluators as env vars."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

from reward_kit.cli._service_flags import add_service_flags
from reward_kit.errors import RewardKitError


def register(subparsers: Any) -> None:
    """Add the ``secrets`` command and its ``create``, ``list`` and ``delete`` actions."""
    parser = subparsers.add_parser(
        "secrets",
        help="manage the secrets evaluators read as environment variables",
        description="Secrets of the account on Fireworks or a 'reward-kit serve --registry' "
        "server. A value is never taken from the command line (it would show in ps and "
        "shell history): it comes from --from-env, --from-file or standard input.",
    )
    add_service_flags(parser)
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create or replace a secret")
    add_service_flags(create, on_action=True)
    create.add_argument("name", help="environment variable name the evaluator reads")
    source = create.add_mutually_exclusive_group()
    source.add_argument("--from-env", metavar="VAR", help="take the value from $VAR")
    source.add_argument("--from-file", metavar="FILE", help="take the value from FILE")
    listing = actions.add_parser("list", help="list secret names (values are never shown)")
    add_service_flags(listing, on_action=True)
    delete = actions.add_parser("delete", help="delete a secret")
    add_service_flags(delete, on_action=True)
    delete.add_argument("name")
    parser.set_defaults(handler=run)


def _value(args: argparse.Namespace) -> str:
    if args.from_env:
        value = os.environ.get(args.from_env)
        if not value:
            raise RewardKitError(f"--from-env {args.from_env}: the variable is not set or empty")
        return value
    if args.from_file:
        try:
            with open(args.from_file, encoding="utf-8") as handle:
                return handle.read().rstrip("\n")
        except OSError as exc:
            raise RewardKitError(f"--from-file {args.from_file}: {exc.strerror}") from None
    if sys.stdin.isatty():
        return getpass.getpass(f"value of {args.name}: ")
    return sys.stdin.read().rstrip("\n")


def run(args: argparse.Namespace) -> int:
    """Carry out the action against the service."""
    from reward_kit.deploy import FireworksClient, load_credentials

    credentials = load_credentials(api_base=args.api_base, account_id=args.account_id)
    with FireworksClient(credentials) as client:
        if args.action == "create":
            value = _value(args)
            if not value:
                raise RewardKitError(f"secret {args.name}: the value is empty")
            client.create_secret(args.name, value)
            print(f"secret {args.name} saved for account {credentials.account_id}")
        elif args.action == "list":
            for secret in client.list_secrets():
                print(secret.get("keyName") or secret.get("name"))
        else:
            client.delete_secret(args.name)
            print(f"secret {args.name} deleted")
    return 0
