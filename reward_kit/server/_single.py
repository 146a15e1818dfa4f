"""The single-evaluator server: ``POST /evaluate`` for one reward (or a few metrics folders)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request, Response

from reward_kit import __version__
from reward_kit.models import EvaluateResult
from reward_kit.server._answers import (
    EVALUATION_BODY,
    document_evaluation_request,
    install_error_handlers,
    read_evaluation,
    result_response,
)
from reward_kit.server._evaluation import EvaluatorRuntime
from reward_kit.server._http import AdminKey, secure
from reward_kit.server._settings import ServerSettings

_BAD_INPUT = {
    400: {"description": "The body is not JSON."},
    401: {"description": "Missing or wrong API key."},
    413: {"description": "The body is over the size limit."},
    422: {"description": "The body is JSON but not an evaluation request."},
}


def create_app(
    rewards: Mapping[str, Callable[..., Any]], settings: ServerSettings | None = None
) -> FastAPI:
    """The HTTP app serving one evaluator made of ``rewards`` (name -> reward function).

    Several rewards (metrics folders) are combined: their mean is the score and each one's
    result is a metric under its name.
    """
    settings = settings or ServerSettings()
    runtime = EvaluatorRuntime(rewards, workers=settings.workers, timeout=settings.timeout)
    app = FastAPI(
        title="reward-kit evaluator",
        version=__version__,
        description="Scores conversations with a reward function (reward-kit's wire format).",
    )

    @app.head("/health", include_in_schema=False)
    async def health_probe() -> Response:  # load balancers probe with HEAD
        return Response()

    @app.get("/health", summary="Liveness and what is served")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "evaluator": runtime.names}

    @app.post(
        "/evaluate",
        summary="Score one conversation",
        response_model=EvaluateResult,
        responses=_BAD_INPUT,  # type: ignore[arg-type]
        openapi_extra=EVALUATION_BODY,
    )
    async def evaluate(request: Request) -> Response:
        """Score ``messages`` (the last one is the response judged) against ``ground_truth``.

        A reward that fails, times out or crashes gives ``is_score_valid: false`` with
        ``error``; the HTTP status is still 200 because the request itself was fine.
        """
        result = await runtime.evaluate_sample(await read_evaluation(request))
        return result_response(result)

    install_error_handlers(app)
    document_evaluation_request(app)
    keys = AdminKey(settings.api_key) if settings.api_key else None
    secure(app, keys, settings.max_body_bytes, settings.max_upload_bytes)
    return app
