"""The evaluator registry: many evaluators behind a subset of Fireworks' evaluator REST API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from reward_kit import __version__
from reward_kit.server._answers import (
    SafeJSONResponse,
    document_evaluation_request,
    install_error_handlers,
)
from reward_kit.server._http import secure
from reward_kit.server._registry._keys import RegistryKeys
from reward_kit.server._registry._routes import build_router
from reward_kit.server._registry._service import RegistryService, ServiceError
from reward_kit.server._settings import ServerSettings

__all__ = ["create_registry_app"]


def create_registry_app(root: str | Path, settings: ServerSettings | None = None) -> FastAPI:
    """The HTTP app of a registry that keeps its evaluators under ``root``.

    Evaluators persist in ``root/registry.sqlite3`` and ``root/code/``, so a restarted server
    serves the same evaluators.
    """
    settings = settings or ServerSettings()
    service = RegistryService(root, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await service.close()

    app = FastAPI(
        title="reward-kit evaluator registry",
        version=__version__,
        description=(
            "Deploy, preview and run reward functions. Speaks the subset of the Fireworks "
            "evaluator API that `reward-kit deploy` uses, so the same client deploys here "
            "and to Fireworks."
        ),
        lifespan=lifespan,
    )
    app.state.registry = service

    @app.head("/health", include_in_schema=False)
    async def health_probe() -> Response:  # load balancers probe with HEAD
        return Response()

    @app.get("/health", summary="Liveness")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    async def refused(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ServiceError)
        return SafeJSONResponse({"detail": str(exc)}, status_code=exc.status)

    app.include_router(build_router(service))
    install_error_handlers(app)
    app.add_exception_handler(ServiceError, refused)
    document_evaluation_request(app)
    keys = RegistryKeys(settings.api_key, service.store)
    secure(app, keys, settings.max_body_bytes, settings.max_upload_bytes)
    return app
