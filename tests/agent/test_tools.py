"""Tool declarations: schemas from types and fragments, required only without a default."""

from __future__ import annotations

import asyncio

import pytest

from reward_kit.agent._calls import call_tool
from reward_kit.agent.tools import ToolRegistry, merge_tools


def test_schema_from_types_defaults_and_undeclared_arguments():
    registry = ToolRegistry("t")

    @registry.tool(description="d", parameters={"a": int, "b": {"type": "string", "enum": ["x"]}})
    def tool(a, db, b="x", c=None):
        return a

    (declared,) = registry.tools.values()
    assert declared.parameters == {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "string", "enum": ["x"]},
                       "c": {"type": "string"}},
        "required": ["a"],
    }  # fmt: skip
    assert declared.injects == ("db",)
    assert "'c' is not declared" in declared.warnings[0]
    assert registry.to_openai()[0]["function"]["name"] == "tool"


def test_duplicate_names_are_errors():
    registry = ToolRegistry("t")
    registry.tool(name="same")(lambda: 1)
    with pytest.raises(ValueError, match="declared twice"):
        registry.tool(name="same")(lambda: 2)
    other = ToolRegistry("u")
    other.tool(name="same")(lambda: 3)
    with pytest.raises(ValueError, match="duplicate tool name 'same'"):
        merge_tools([("t", registry), ("u", other)])


def test_async_tools_and_results_as_json():
    registry = ToolRegistry("t")

    @registry.tool(parameters={"n": int})
    async def double(n):
        return {"n": n * 2}

    outcome = asyncio.run(
        call_tool(registry.tools, "double", '{"n": 2}', db=None, resource=None, timeout=5)
    )
    assert outcome.ok and outcome.message_content() == '{"n": 4}'
