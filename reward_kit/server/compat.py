"""``RewardServer`` and ``run_server``: reward-kit's documented way to serve one reward.

A thin face over :func:`reward_kit.server.create_app` (the app behind ``reward-kit serve
--function-ref``), run with uvicorn. It binds ``127.0.0.1`` unless told otherwise.
"""

from __future__ import annotations

import os
from typing import Any

from reward_kit._registry import resolve_reward
from reward_kit.server._settings import API_KEY_ENV, ServerSettings
from reward_kit.server._single import create_app

__all__ = ["RewardServer", "run_server"]


class RewardServer:
    """One reward function served at ``POST /evaluate`` (the wire format).

    Args:
        func_path: The reward: ``pkg.mod:fn``, ``pkg.mod.fn``, ``path/main.py:fn`` or a
            registered name such as ``math_reward``.
        host: Address to bind; ``127.0.0.1`` keeps it to this machine.
        port: Port to listen on.
        api_key: Key callers must send (default: ``$RK_ENDPOINT_API_KEY``; None serves
            without one).
    """

    def __init__(
        self,
        func_path: str,
        host: str = "127.0.0.1",
        port: int = 8000,
        api_key: str | None = None,
    ) -> None:
        reward = resolve_reward(func_path, os.getcwd())
        info = getattr(reward, "__reward_kit__", None)
        name = info.name if info else getattr(reward, "__name__", "reward")
        self.func_path = func_path
        self.host = host
        self.port = port
        settings = ServerSettings(api_key=api_key or os.environ.get(API_KEY_ENV) or None)
        self.app: Any = create_app({name: reward}, settings)

    def run(self) -> None:
        """Serve until interrupted."""
        import uvicorn

        uvicorn.run(self.app, host=self.host, port=self.port, log_level="warning")


def run_server(func_path: str, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the reward at ``func_path`` on ``host:port`` until interrupted."""
    RewardServer(func_path, host, port).run()
