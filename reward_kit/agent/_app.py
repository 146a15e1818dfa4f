"""A FastAPI app serving a registry's tools at ``POST /tools/{name}`` (the exported routes)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from reward_kit.agent._calls import call_tool

if TYPE_CHECKING:
    from reward_kit.agent.tools import ToolRegistry

__all__ = ["tools_app"]


def tools_app(registry: ToolRegistry, *, timeout: float = 30.0) -> Any:
    """The app; tools that need ``db`` or ``resource`` get None (serve stateless tools)."""
    try:
        from fastapi import Body, FastAPI
    except ImportError as exc:  # pragma: no cover - depends on the extra
        raise ImportError("serving tools needs: pip install 'reward-kit[server]'") from exc
    app = FastAPI(title=registry.name, description=registry.description)

    def route(name: str) -> Any:
        async def endpoint(arguments: dict[str, Any] = Body(default_factory=dict)) -> Any:  # noqa: B008
            outcome = await call_tool(
                registry.tools, name, json.dumps(arguments), db=None, resource=None, timeout=timeout
            )
            return outcome.result if outcome.ok else {"error": outcome.error}

        return endpoint

    for tool in registry.tools.values():
        app.post(f"/tools/{tool.name}", operation_id=tool.name, summary=tool.description)(
            route(tool.name)
        )
    return app
