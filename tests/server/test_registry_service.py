"""The registry service without sandboxes: refused unless asked for, then one account only."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from reward_kit.server._registry._isolation import Isolation
from reward_kit.server._registry._service import RegistryService, ServiceError
from reward_kit.server._registry._store import EvaluatorRecord
from reward_kit.server._settings import ServerSettings

NO_NAMESPACES = Isolation(
    None, "bwrap: creating new namespace failed: Operation not permitted", None
)
CODE = (
    "from reward_kit import EvaluateResult, reward_function\n\n\n"
    "@reward_function\n"
    "def evaluate(messages, **kwargs):\n"
    "    return EvaluateResult(score=1.0)\n"
)


def _record(account: str) -> EvaluatorRecord:
    record = EvaluatorRecord(account, "e", "r1")
    record.criteria = [{"name": "m", "codeSnippets": {"fileContents": {"main.py": CODE}}}]
    return record


def test_without_namespaces_the_registry_refuses_to_start_and_says_why(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="Operation not permitted.*--insecure-single-tenant"):
        RegistryService(tmp_path, ServerSettings(), NO_NAMESPACES)


def test_an_insecure_registry_serves_a_single_account(tmp_path: Path) -> None:
    settings = ServerSettings(insecure_single_tenant=True, workers=1)

    async def scenario() -> None:
        service = RegistryService(tmp_path, settings, NO_NAMESPACES)
        try:
            await service.create(_record("first"), criteria_with_code=True)
            with pytest.raises(ServiceError, match="serves only account 'first'") as refused:
                await service.create(_record("second"), criteria_with_code=True)
            assert refused.value.status == 403
            with pytest.raises(ServiceError, match="serves only"):
                await service.preview("second", _record("x").criteria, "", [])
        finally:
            await service.close()

    asyncio.run(scenario())
    reopened = RegistryService(tmp_path, settings, NO_NAMESPACES)  # the tenant is remembered
    with pytest.raises(ServiceError, match="serves only account 'first'"):
        reopened.check_tenant("second")
    reopened.store.close()
