"""``reward-kit serve``: evaluators as an HTTP service (needs ``pip install 'reward-kit[server]'``).

Two apps: :func:`create_app` serves one evaluator at ``POST /evaluate``;
:func:`create_registry_app` serves many, deployed with ``reward-kit deploy``, behind the subset
of Fireworks' evaluator API that deploy and preview use. Both take the wire format of
:class:`reward_kit.models.EvaluationRequest` and answer with an ``EvaluateResult``.
"""

from __future__ import annotations

from reward_kit.server._registry import create_registry_app
from reward_kit.server._settings import API_KEY_ENV, ServerSettings
from reward_kit.server._single import create_app

__all__ = [
    "API_KEY_ENV",
    "RewardServer",
    "ServerSettings",
    "create_app",
    "create_registry_app",
    "run_server",
]


def __getattr__(name: str) -> object:
    """reward-kit's ``RewardServer`` and ``run_server``, loaded on first use."""
    if name in ("RewardServer", "run_server"):
        from reward_kit.server import compat

        return getattr(compat, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
