"""``--api-base`` and ``--account-id``, accepted before and after a command's action.

``reward-kit rft list --account-id X`` is how users type it (``deploy`` takes its flags that
way); argparse only knows a flag on the parser it was added to, so each action gets it too.
"""

from __future__ import annotations

import argparse

__all__ = ["add_service_flags"]


def add_service_flags(parser: argparse.ArgumentParser, *, on_action: bool = False) -> None:
    """Add the two flags; on an action they keep the value given before it unless repeated."""
    default = argparse.SUPPRESS if on_action else None
    parser.add_argument(
        "--api-base", default=default, help="service URL (default: $FIREWORKS_API_BASE)"
    )
    parser.add_argument(
        "--account-id", default=default, help="account (default: $FIREWORKS_ACCOUNT_ID)"
    )
