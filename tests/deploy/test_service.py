"""The deploy flow against a stand-in of an older evaluator service (no upload flow).

The stand-in speaks Fireworks' evaluator API over real HTTP but has no ``evaluatorsV2``, fails
its first poll with 503, reports BUILDING before ACTIVE, or a build failure on request.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

from reward_kit.deploy import DeployError, deploy
from tests._servers.asgi import running_app

KEY = "fw-standin-key-0123456789"


def standin() -> tuple[FastAPI, dict[str, Any]]:
    app = FastAPI()
    state: dict[str, Any] = {"created": {}, "polls": 0}

    @app.post("/v1/accounts/{account}/evaluators")
    async def create(account: str, request: Request) -> dict[str, Any]:
        if request.headers.get("authorization") != f"Bearer {KEY}":
            raise HTTPException(401, "unauthenticated")
        body = await request.json()
        state["created"][body["evaluatorId"]] = body
        return {"name": f"accounts/{account}/evaluators/{body['evaluatorId']}", "state": "BUILDING"}

    @app.get("/v1/accounts/{account}/evaluators/{evaluator_id}")
    async def get(account: str, evaluator_id: str) -> Any:
        state["polls"] += 1
        if state["polls"] == 1:
            return JSONResponse({"error": {"message": "try again"}}, status_code=503)
        if evaluator_id not in state["created"]:
            raise HTTPException(404, "not found")
        if evaluator_id.startswith("broken"):
            return {
                "state": "BUILD_FAILED",
                "status": {"code": "INTERNAL", "message": "pip failed"},
            }
        return {"state": "BUILDING" if state["polls"] < 4 else "ACTIVE", "status": {"code": "OK"}}

    return app, state


@pytest.fixture
def service() -> Iterator[tuple[str, dict[str, Any]]]:
    app, state = standin()
    with running_app(app) as url:
        yield url, state


@pytest.fixture
def metric(tmp_path: Path) -> Path:
    (tmp_path / "main.py").write_text(
        "from reward_kit import EvaluateResult, reward_function\n\n\n"
        "@reward_function(requirements=['sympy>=1.12'])\n"
        "def evaluate(messages, **kwargs):\n"
        "    return EvaluateResult(score=1.0)\n"
    )
    (tmp_path / "util.py").write_text("HELP = 1\n")
    return tmp_path


def test_without_an_upload_flow_the_code_goes_inline_and_polling_waits(
    service: tuple[str, dict[str, Any]], metric: Path
) -> None:
    url, state = service
    progress: list[str] = []
    result = deploy(
        metric, id="exact", api_base=url, api_key=KEY, account_id="acme", report=progress.append
    )
    assert result.evaluator is not None and result.evaluator["state"] == "ACTIVE"
    body = state["created"]["exact"]
    (criterion,) = body["evaluator"]["criteria"]
    assert criterion["type"] == "CODE_SNIPPETS" and criterion["name"] == metric.name
    assert set(criterion["codeSnippets"]["fileContents"]) == {"main.py", "util.py"}
    assert body["evaluator"]["requirements"] == "sympy>=1.12\n"
    assert any("sending the code inline" in line for line in progress)
    assert [line for line in progress if ": BUILDING" in line or ": ACTIVE" in line] == [
        "evaluator exact: BUILDING",
        "evaluator exact: ACTIVE",
    ]


def test_a_failed_build_is_reported_with_its_reason(
    service: tuple[str, dict[str, Any]], metric: Path
) -> None:
    url, _ = service
    with pytest.raises(DeployError, match="broken-one failed to build: pip failed"):
        deploy(metric, id="broken-one", api_base=url, api_key=KEY, account_id="acme")


def test_forcing_the_upload_flow_on_a_service_without_it_fails_clearly(
    service: tuple[str, dict[str, Any]], metric: Path
) -> None:
    url, _ = service
    with pytest.raises(DeployError, match="evaluatorsV2 failed: HTTP 404"):
        deploy(metric, id="x", api_base=url, api_key=KEY, account_id="acme", flow="upload")
