"""Partial credit for JSON Schema: which of a schema's constraints a value satisfies.

Each validation keyword of each subschema is one constraint, checked by ``jsonschema`` itself
(so its semantics are JSON Schema's, ``$ref`` included). A ``required`` list counts once per
property. Constraints under a property the value lacks, or under a subschema whose ``type``
fails, count as unsatisfied when that part is required, so a wrong shape earns no credit for
the checks it skips.
"""

from __future__ import annotations

from typing import Any

_MISSING = object()
_IGNORED = {
    "$schema",
    "$id",
    "$anchor",
    "$comment",
    "$defs",
    "definitions",
    "title",
    "description",
    "default",
    "examples",
    "readOnly",
    "writeOnly",
    "deprecated",
    "$vocabulary",
}
# Keywords whose meaning depends on a sibling: checked together with it.
_WITH_SIBLINGS = {
    "then": ("if",),
    "else": ("if",),
    "minContains": ("contains",),
    "maxContains": ("contains",),
    "additionalItems": ("items",),
}


def _sibling_view(schema: dict[str, Any], keyword: str) -> dict[str, Any]:
    if keyword == "additionalProperties":
        return {
            "properties": {name: True for name in schema.get("properties", {})},
            "patternProperties": {p: True for p in schema.get("patternProperties", {})},
            keyword: schema[keyword],
        }
    siblings = _WITH_SIBLINGS.get(keyword, ())  # most keywords stand alone
    return {key: schema[key] for key in (*siblings, keyword) if key in schema}


def constraints(validator: Any, schema: Any, instance: Any, path: str = "$") -> dict[str, bool]:
    """Map each constraint (``path/keyword``) of ``schema`` to whether ``instance`` meets it."""
    if not isinstance(schema, dict):  # boolean schema
        ok = instance is not _MISSING and validator.evolve(schema=schema).is_valid(instance)
        return {path: ok}
    found: dict[str, bool] = {}
    if "type" in schema:
        ok = instance is not _MISSING and validator.evolve(
            schema={"type": schema["type"]}
        ).is_valid(instance)
        found[f"{path}/type"] = ok
        instance = instance if ok else _MISSING
    for keyword, value in schema.items():
        if keyword in _IGNORED or keyword in ("type", "if"):
            continue  # ``type`` is checked above, ``if`` only matters with then/else
        if keyword == "properties" and isinstance(value, dict):
            found.update(_properties(validator, schema, value, instance, path))
        elif keyword == "items" and isinstance(value, dict):
            found.update(_items(validator, value, instance, path))
        elif keyword == "required" and isinstance(value, list):
            for name in value:
                present = isinstance(instance, dict) and name in instance
                found[f"{path}/required/{name}"] = present
        else:
            view = _sibling_view(schema, keyword)
            found[f"{path}/{keyword}"] = instance is not _MISSING and validator.evolve(
                schema=view
            ).is_valid(instance)
    return found


def _properties(
    validator: Any, schema: dict[str, Any], properties: dict[str, Any], instance: Any, path: str
) -> dict[str, bool]:
    required = set(schema.get("required", []))
    found: dict[str, bool] = {}
    for name, subschema in properties.items():
        if isinstance(instance, dict) and name in instance:
            found.update(constraints(validator, subschema, instance[name], f"{path}.{name}"))
        elif name in required or instance is _MISSING:
            found.update(constraints(validator, subschema, _MISSING, f"{path}.{name}"))
    return found


def _items(validator: Any, subschema: Any, instance: Any, path: str) -> dict[str, bool]:
    if instance is _MISSING:
        return constraints(validator, subschema, _MISSING, f"{path}[]")
    if not isinstance(instance, list):
        return {}
    merged: dict[str, bool] = {}
    for item in instance:
        for key, ok in constraints(validator, subschema, item, f"{path}[]").items():
            merged[key] = merged.get(key, True) and ok
    return merged
