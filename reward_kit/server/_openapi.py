"""The OpenAPI documents of both server apps, as checked into ``docs/`` (kept current by a test)."""

from __future__ import annotations

import json
import tempfile
from typing import Any

from reward_kit.models import EvaluateResult
from reward_kit.server._registry import create_registry_app
from reward_kit.server._single import create_app

FILES = {"serve": "docs/openapi-serve.json", "registry": "docs/openapi-registry.json"}


async def _any_reward(**kwargs: Any) -> EvaluateResult:
    """Stands for the served reward: the schema does not depend on which one it is."""
    raise RuntimeError("only used to build the OpenAPI document")


def documents() -> dict[str, str]:
    """Path under the repository -> JSON text of the OpenAPI document served there."""
    single = create_app({"reward": _any_reward}).openapi()
    with tempfile.TemporaryDirectory() as folder:
        registry = create_registry_app(folder).openapi()
    return {
        FILES["serve"]: json.dumps(single, indent=2, sort_keys=True) + "\n",
        FILES["registry"]: json.dumps(registry, indent=2, sort_keys=True) + "\n",
    }
