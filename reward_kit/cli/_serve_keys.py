"""``reward-kit serve keys``: per-account API keys of a registry, managed on its folder.

The commands work on the registry's database directly (whoever can read that folder is its
operator), so they work whether or not the server is running; a running server sees a new or
revoked key on the next request.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from reward_kit.errors import RewardKitError


def register(subparsers: Any) -> None:
    """Add ``keys create|list|revoke`` under ``serve``."""
    keys = subparsers.add_parser(
        "keys",
        help="manage per-account API keys of a registry",
        description="API keys that act on one account of a registry only. The server's own "
        "key (--api-key-env) stays the admin key, valid for every account.",
    )
    actions = keys.add_subparsers(dest="keys_action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a key for an account (shown once)")
    create.add_argument("--account", required=True, help="the account the key acts on")
    listing = actions.add_parser("list", help="list key ids and accounts (never the keys)")
    listing.add_argument("--account", help="only this account's keys")
    revoke = actions.add_parser("revoke", help="revoke a key by its id")
    revoke.add_argument("key_id", metavar="KEY_ID", help="the id shown by create and list")
    for action in (create, listing, revoke):
        action.add_argument("--registry", required=True, metavar="DIR", help="registry folder")
        action.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Carry out the keys action on the registry's store."""
    from reward_kit._resource_ids import ACCOUNT_ID
    from reward_kit.server._registry._keys import key_hash, new_key
    from reward_kit.server._registry._store import RegistryStore

    if getattr(args, "account", None) and not ACCOUNT_ID.fullmatch(args.account):
        raise RewardKitError(f"--account {args.account!r} is not a valid account id")
    if os.path.exists(args.registry) and not os.path.isdir(args.registry):
        raise RewardKitError(f"--registry {args.registry}: not a folder")
    if args.keys_action != "create" and not os.path.isdir(args.registry):
        raise RewardKitError(f"--registry {args.registry}: no such folder (no registry there)")
    store = RegistryStore(args.registry)
    try:
        if args.keys_action == "create":
            key_id, key = new_key()
            store.add_api_key(key_id, args.account, key_hash(key))
            print(f"created key {key_id} for account {args.account}; it is shown only once:")
            print(key)
        elif args.keys_action == "list":
            for key_id, account, created in store.api_keys(args.account):
                print(f"{key_id}  {account}  {created}")
        elif not store.revoke_api_key(args.key_id):
            raise RewardKitError(f"no key with id {args.key_id!r} in {args.registry}")
        else:
            print(f"revoked key {args.key_id}")
    finally:
        store.close()
    return 0
