"""The tool registry of a task bundle: ``@R.tool(...)`` declares a tool the agent may call.

A tool is a plain sync or async function. Its JSON schema comes from ``parameters`` (a Python
type or a JSON-Schema fragment per argument); an argument is required only when the function
gives it no default. ``db`` and ``resource`` are injected by the runner, never shown to the
model.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

__all__ = ["INJECTED", "Tool", "ToolRegistry", "merge_tools"]

INJECTED = ("db", "resource")
"""Arguments the runner passes to a tool; they are not part of its schema."""

_TYPES: dict[type, str] = {
    str: "string",
    bool: "boolean",
    int: "integer",
    float: "number",
    list: "array",
    dict: "object",
}
_F = TypeVar("_F", bound=Callable[..., Any])


def _fragment(value: Any, where: str) -> dict[str, Any]:
    """The JSON schema of one parameter declared as a Python type or a schema fragment."""
    if isinstance(value, type) and value in _TYPES:
        return {"type": _TYPES[value]}
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(
        f"{where}: expected a type (str, int, ...) or a JSON-Schema dict, got {value!r}"
    )


@dataclass(frozen=True)
class Tool:
    """One tool: its name, description, parameter schema, function and injected arguments."""

    name: str
    description: str
    parameters: dict[str, Any]
    func: Callable[..., Any]
    injects: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    """Problems found while declaring it (undeclared arguments typed as strings)."""

    @property
    def is_async(self) -> bool:
        """True for an ``async def`` tool (run on the event loop, not in a thread)."""
        return inspect.iscoroutinefunction(self.func)

    def to_openai(self) -> dict[str, Any]:
        """The tool as an entry of the chat API's ``tools`` array."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters,
            },
        }


@dataclass
class ToolRegistry:
    """A named set of tools; a bundle's ``tools.py`` defines one (conventionally ``R``).

    Args:
        name: A label for listings and the exported OpenAPI title.
        description: What the tools are for.
    """

    name: str = "tools"
    description: str = ""
    tools: dict[str, Tool] = field(default_factory=dict)

    def tool(
        self,
        description: str = "",
        parameters: Mapping[str, Any] | None = None,
        name: str | None = None,
    ) -> Callable[[_F], _F]:
        """Declare a tool: ``@R.tool(description="...", parameters={"city": str})``.

        Args:
            description: What the tool does, shown to the model.
            parameters: Argument name to a Python type or a JSON-Schema fragment; function
                arguments left out are typed as strings, with a warning.
            name: The tool's name (the function's name by default); a duplicate is an error.
        """

        def decorate(func: _F) -> _F:
            tool = build_tool(func, description, parameters or {}, name)
            if tool.name in self.tools:
                raise ValueError(f"tool {tool.name!r} is declared twice in registry {self.name!r}")
            self.tools[tool.name] = tool
            return func

        return decorate

    def to_openai(self) -> list[dict[str, Any]]:
        """Every tool as the chat API's ``tools`` array, in declaration order."""
        return [tool.to_openai() for tool in self.tools.values()]

    def to_openapi(self) -> dict[str, Any]:
        """An OpenAPI 3.1 document with one ``POST /tools/{name}`` per tool."""
        from reward_kit.agent.export import openapi_document

        return openapi_document(self.tools.values(), self.name, self.description)

    def create_app(self) -> Any:
        """A FastAPI app serving ``POST /tools/{name}`` (needs ``reward-kit[server]``)."""
        from reward_kit.agent._app import tools_app

        return tools_app(self)


def build_tool(
    func: Callable[..., Any], description: str, parameters: Mapping[str, Any], name: str | None
) -> Tool:
    """A :class:`Tool` from a function and its declared parameters."""
    tool_name = name or func.__name__
    signature = inspect.signature(func)
    accepts_any = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
    properties: dict[str, Any] = {}
    required: list[str] = []
    warnings: list[str] = []
    injects = tuple(arg for arg in INJECTED if arg in signature.parameters)
    declared = dict(parameters)
    for arg, param in signature.parameters.items():
        if arg in INJECTED or param.kind in (param.VAR_KEYWORD, param.VAR_POSITIONAL):
            continue
        if arg in declared:
            properties[arg] = _fragment(declared.pop(arg), f"tool {tool_name!r} parameter {arg!r}")
        else:
            properties[arg] = {"type": "string"}
            warnings.append(
                f"tool {tool_name!r}: argument {arg!r} is not declared; typed as string"
            )
        if param.default is inspect.Parameter.empty:
            required.append(arg)
    for arg, value in declared.items():
        if not accepts_any:
            raise TypeError(f"tool {tool_name!r}: parameter {arg!r} is not an argument of {func}")
        properties[arg] = _fragment(value, f"tool {tool_name!r} parameter {arg!r}")
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return Tool(tool_name, description, schema, func, injects, tuple(warnings))


def merge_tools(registries: Iterable[tuple[str, ToolRegistry]]) -> dict[str, Tool]:
    """The tools of several registries by name; a name found twice is a ``ValueError``."""
    merged: dict[str, Tool] = {}
    origin: dict[str, str] = {}
    for label, registry in registries:
        for tool_name, tool in registry.tools.items():
            if tool_name in merged:
                raise ValueError(
                    f"duplicate tool name {tool_name!r} in toolsets {origin[tool_name]!r} "
                    f"and {label!r}"
                )
            merged[tool_name] = tool
            origin[tool_name] = label
    return merged
