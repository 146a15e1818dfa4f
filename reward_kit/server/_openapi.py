"""The OpenAPI documents of both server apps, as checked into ``docs/`` (kept current by a test)."""

from __future__ import annotations

import json
import tempfile
from typing import Any

from reward_kit.models import EvaluateResult
from reward_kit.server._registry import create_registry_app
from reward_kit.server._single import create_app

FILES = {"serve": "docs/openapi-serve.json", "registry": "docs/openapi-registry.json"}


async def _documented_reward(**kwargs: Any) -> EvaluateResult:
    """The reward of the app built for its schema (which does not depend on the reward)."""
    return EvaluateResult.invalid("this app was built only to describe the API")


def documents() -> dict[str, str]:
    """Path under the repository -> JSON text of the OpenAPI document served there."""
    single = create_app({"reward": _documented_reward}).openapi()
    with tempfile.TemporaryDirectory() as folder:
        registry = create_registry_app(folder).openapi()
    return {
        FILES["serve"]: json.dumps(single, indent=2, sort_keys=True) + "\n",
        FILES["registry"]: json.dumps(registry, indent=2, sort_keys=True) + "\n",
    }
