"""``--export-tools``: a row's tools as OpenAPI 3.1, as the chat API's ``tools`` array, and
example arguments per tool, so they can be served, inspected or called by hand."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from reward_kit.agent.policy import example_arguments
from reward_kit.agent.tools import Tool

__all__ = ["openapi_document", "write_export"]


def openapi_document(tools: Iterable[Tool], title: str, description: str = "") -> dict[str, Any]:
    """An OpenAPI 3.1 document: one ``POST /tools/{name}`` per tool, its schema as the body."""
    paths: dict[str, Any] = {}
    for tool in tools:
        paths[f"/tools/{tool.name}"] = {
            "post": {
                "operationId": tool.name,
                "summary": tool.description or tool.name,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": tool.parameters}},
                },
                "responses": {
                    "200": {
                        "description": 'The tool\'s result (JSON), or {"error": ...}',
                        "content": {"application/json": {"schema": {}}},
                    }
                },
            }
        }
    info: dict[str, Any] = {"title": title, "version": "1.0.0"}
    if description:
        info["description"] = description
    return {"openapi": "3.1.0", "info": info, "paths": paths}


def _write(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_export(folder: Path, task_id: str, tools: dict[str, Tool]) -> Path:
    """Write ``openapi.json``, ``tools_spec.json`` and ``<name>_template.json`` for one row."""
    target = folder / task_id
    target.mkdir(parents=True, exist_ok=True)
    _write(target / "openapi.json", openapi_document(tools.values(), f"{task_id} tools"))
    _write(target / "tools_spec.json", [tool.to_openai() for tool in tools.values()])
    for tool in tools.values():
        _write(target / f"{tool.name}_template.json", example_arguments(tool))
    return target
