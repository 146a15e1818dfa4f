"""HTTP routes of the evaluator registry (a subset of Fireworks' evaluator REST API)."""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response

from reward_kit._resource_ids import ACCOUNT_ID as ACCOUNT_PATTERN
from reward_kit._resource_ids import EVALUATOR_ID as ID_PATTERN
from reward_kit._resource_ids import SECRET_NAME as SECRET_PATTERN
from reward_kit._types import accept_legacy_ground_truth
from reward_kit.models import EvaluateResult
from reward_kit.server._answers import (
    EVALUATION_BODY,
    non_finite,
    public_url,
    read_evaluation,
    result_response,
)
from reward_kit.server._http import CALLER, Caller
from reward_kit.server._registry._schemas import (
    CreateEvaluatorRequest,
    PreviewRequest,
    SecretRequest,
    UploadEndpointRequest,
)
from reward_kit.server._registry._service import RegistryService
from reward_kit.server._registry._store import EvaluatorRecord

_BASE = "/v1/accounts/{account}"
_PAGE_TOKEN = re.compile(r"[0-9]{1,9}")


def _check_ids(account: str, evaluator_id: str | None = None) -> None:
    # fullmatch: a pattern's "$" also matches before a trailing newline
    if not ACCOUNT_PATTERN.fullmatch(account):
        raise HTTPException(400, f"account id {account!r} is malformed")
    if evaluator_id is not None and not ID_PATTERN.fullmatch(evaluator_id):
        raise HTTPException(
            400,
            f"evaluator id {evaluator_id!r} must be 1-63 lower-case letters, digits or '-', "
            "starting and ending with a letter or digit",
        )


def _authorize(request: Request) -> None:
    """An account's key acts on that account only (the admin key on every account)."""
    caller = request.scope.get(CALLER)
    if not isinstance(caller, Caller) or caller.account is None:
        return  # the admin, an open server, or an upload URL (its token is the authorisation)
    account = request.path_params.get("account")
    if account != caller.account:
        target = f"account {account!r}" if account else "this admin-only path"
        raise HTTPException(
            403, f"this API key belongs to account {caller.account!r}; it cannot act on {target}"
        )


def build_router(service: RegistryService) -> APIRouter:
    """All registry routes, bound to ``service``."""
    router = APIRouter(dependencies=[Depends(_authorize)])

    async def create(account: str, body: CreateEvaluatorRequest) -> dict[str, Any]:
        _check_ids(account, body.evaluatorId)
        spec = body.evaluator
        record = EvaluatorRecord(
            account=account,
            evaluator_id=body.evaluatorId,
            revision=uuid.uuid4().hex[:12],
            display_name=spec.displayName or body.evaluatorId,
            description=spec.description,
            requirements=spec.requirements,
            entry_point=spec.entryPoint,
            criteria=spec.criteria_dicts(),
            network=spec.network,
        )
        created = await service.create(record, criteria_with_code=spec.has_code())
        return created.to_resource()

    @router.post(_BASE + "/evaluators", summary="Create an evaluator with inline code")
    async def create_inline(account: str, body: CreateEvaluatorRequest) -> dict[str, Any]:
        if not body.evaluator.has_code():
            raise HTTPException(
                400,
                "this form needs criteria[].codeSnippets.fileContents; to upload an archive "
                "instead, create through evaluatorsV2",
            )
        return await create(account, body)

    @router.post(_BASE + "/evaluatorsV2", summary="Create an evaluator (code uploaded next)")
    async def create_v2(account: str, body: CreateEvaluatorRequest) -> dict[str, Any]:
        return await create(account, body)

    @router.get(_BASE + "/evaluators", summary="List evaluators")
    async def list_evaluators(
        account: str,
        pageSize: int = Query(default=50, ge=1, le=200),
        pageToken: str = Query(default=""),
    ) -> dict[str, Any]:
        _check_ids(account)
        if pageToken and not _PAGE_TOKEN.fullmatch(pageToken):
            raise HTTPException(400, f"pageToken {pageToken!r} is not one this server gave")
        offset = int(pageToken or 0)
        records, total = service.store.page(account, offset, pageSize)
        more = offset + len(records) < total
        return {
            "evaluators": [record.to_resource() for record in records],
            "nextPageToken": str(offset + len(records)) if more else "",
            "totalSize": total,
        }

    @router.get(_BASE + "/evaluators/{evaluator_id}", summary="Get an evaluator")
    async def get_evaluator(account: str, evaluator_id: str) -> dict[str, Any]:
        _check_ids(account, evaluator_id)
        return service.get(account, evaluator_id).to_resource()

    @router.delete(_BASE + "/evaluators/{evaluator_id}", summary="Delete an evaluator")
    async def delete_evaluator(account: str, evaluator_id: str) -> dict[str, Any]:
        _check_ids(account, evaluator_id)
        await service.delete(account, evaluator_id)
        return {}

    @router.post(
        _BASE + "/evaluators/{evaluator_id}:getUploadEndpoint",
        summary="Get a URL to PUT the evaluator's .tar.gz to",
    )
    async def get_upload_endpoint(
        account: str, evaluator_id: str, body: UploadEndpointRequest, request: Request
    ) -> dict[str, Any]:
        _check_ids(account, evaluator_id)
        record = service.get(account, evaluator_id)
        if len(body.filenameToSize) != 1:
            raise HTTPException(400, "filenameToSize must name exactly one .tar.gz archive")
        ((filename, size),) = body.filenameToSize.items()
        token = service.upload_token(record, filename, size)
        base = public_url(service.settings, request)
        return {"filenameToSignedUrls": {filename: f"{base}/v1/uploads/{token}"}}

    @router.put("/v1/uploads/{token}", summary="Upload an archive to a URL from getUploadEndpoint")
    async def upload(token: str, request: Request) -> dict[str, Any]:
        declared = request.headers.get("content-length")
        await service.receive_upload(token, int(declared) if declared else None, request.stream)
        return {}

    @router.post(
        _BASE + "/evaluators/{evaluator_id}:validateUpload",
        summary="Unpack the uploaded code and build the evaluator",
    )
    async def validate_upload(account: str, evaluator_id: str) -> dict[str, Any]:
        _check_ids(account, evaluator_id)
        await service.validate_upload(service.get(account, evaluator_id))
        return {}

    @router.post(
        _BASE + "/evaluators/{evaluator_id}:evaluate",
        summary="Score one conversation with an evaluator",
        response_model=EvaluateResult,
        openapi_extra=EVALUATION_BODY,
    )
    async def evaluate(account: str, evaluator_id: str, request: Request) -> Response:
        runtime = service.runtime(account, evaluator_id)
        result = await runtime.evaluate_sample(await read_evaluation(request))
        return result_response(result)

    @router.post(_BASE + "/evaluators:previewEvaluator", summary="Score samples with inline code")
    async def preview(account: str, body: PreviewRequest) -> dict[str, Any]:
        _check_ids(account)
        if not body.evaluator.has_code():
            raise HTTPException(400, "preview needs criteria[].codeSnippets.fileContents")
        samples = [_parse_sample(index, text) for index, text in enumerate(body.sampleData)]
        samples = samples[: body.maxSamples] if body.maxSamples else samples
        if not samples:
            raise HTTPException(400, "sampleData is empty")
        started = time.perf_counter()
        results = await service.preview(
            account, body.evaluator.criteria_dicts(), body.evaluator.requirements, samples
        )
        return {
            "totalSamples": len(samples),
            "totalRuntimeMs": int((time.perf_counter() - started) * 1000),
            "results": [_preview_result(result) for result in results],
        }

    @router.post(_BASE + "/secrets", summary="Create or replace a secret")
    async def create_secret(account: str, body: SecretRequest) -> dict[str, Any]:
        _check_ids(account)
        if not SECRET_PATTERN.fullmatch(body.keyName):
            raise HTTPException(
                400, f"keyName {body.keyName!r} is not an environment variable name"
            )
        if not _is_environment_value(body.value):
            raise HTTPException(
                400,
                f"the value of {body.keyName} cannot be an environment variable: it holds a NUL "
                "character or invalid Unicode",
            )
        service.store.put_secret(account, body.keyName, body.value)
        service.secrets_changed(account)
        return {"name": f"accounts/{account}/secrets/{body.keyName}", "keyName": body.keyName}

    @router.get(_BASE + "/secrets", summary="List secrets (names only)")
    async def list_secrets(account: str) -> dict[str, Any]:
        _check_ids(account)
        names = service.store.secret_names(account)
        return {
            "secrets": [{"name": f"accounts/{account}/secrets/{n}", "keyName": n} for n in names],
            "totalSize": len(names),
        }

    @router.delete(_BASE + "/secrets/{key_name}", summary="Delete a secret")
    async def delete_secret(account: str, key_name: str) -> dict[str, Any]:
        _check_ids(account)
        if not service.store.delete_secret(account, key_name):
            raise HTTPException(404, f"secret accounts/{account}/secrets/{key_name} does not exist")
        service.secrets_changed(account)
        return {}

    return router


def _is_environment_value(value: str) -> bool:
    """Whether ``value`` can be put in a process's environment (no NUL, encodable)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return False
    return "\0" not in value


def _parse_sample(index: int, text: str) -> dict[str, Any]:
    try:
        sample = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HTTPException(400, f"sampleData[{index}] is not JSON ({exc})") from None
    except RecursionError:
        raise HTTPException(400, f"sampleData[{index}] is JSON nested too deeply") from None
    if not isinstance(sample, dict) or "messages" not in sample:
        raise HTTPException(400, f"sampleData[{index}] must be an object with 'messages'")
    where = non_finite(sample)
    if where is not None:
        place = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in where)
        raise HTTPException(
            400, f"sampleData[{index}]{place}: NaN and Infinity are not JSON numbers"
        )
    return accept_legacy_ground_truth(sample)


def _preview_result(result: EvaluateResult) -> dict[str, Any]:
    return {
        "success": result.is_score_valid,
        "score": result.score,
        "reason": result.reason,
        "error": result.error,
        "perMetricEvals": {name: metric.model_dump() for name, metric in result.metrics.items()},
    }
