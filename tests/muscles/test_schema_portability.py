"""Every tool's input and output schema constrains what it describes: no schema node that
accepts any value (pydantic's ``JsonValue`` becomes ``{}``, which MCP Inspector's ``--strict``
reports as "accepts any value" and strict clients such as OpenAI's refuse).

The schemas checked are the ones each generated server publishes in ``tools/list``. The real
Inspector CLI runs the same check over HTTP in ``tests/e2e/test_inspector.py``."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from core.discovery import find_services, mcp_module, project_root
from core.settings import Settings

LOCATIONS = find_services(project_root())

# A node with any of these says what its value is.
_CONSTRAINING = frozenset(
    {"type", "enum", "const", "$ref", "anyOf", "oneOf", "allOf", "not", "properties", "items", "prefixItems"}
)
# Where schema nodes sit inside a schema.
_NODE_MAPS = ("properties", "$defs", "definitions", "patternProperties")
_NODE_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_NODE_VALUES = ("items", "additionalProperties", "not", "contains")


def unconstrained(schema: Any, path: str = "#") -> Iterator[str]:
    """The paths of every node in ``schema`` that accepts any value."""
    if not isinstance(schema, dict):
        return
    if not _CONSTRAINING & schema.keys():
        yield path
    for key in _NODE_MAPS:
        for name, node in (schema.get(key) or {}).items():
            yield from unconstrained(node, f"{path}/{key}/{name}")
    for key in _NODE_LISTS:
        for index, node in enumerate(schema.get(key) or []):
            yield from unconstrained(node, f"{path}/{key}/{index}")
    for key in _NODE_VALUES:
        if isinstance(schema.get(key), dict):
            yield from unconstrained(schema[key], f"{path}/{key}")


def test_the_check_finds_what_it_looks_for() -> None:
    assert list(unconstrained({"type": "object", "properties": {"a": {}, "b": {"type": "string"}}})) == [
        "#/properties/a"
    ]
    assert list(unconstrained({"$defs": {"JsonValue": {}}, "$ref": "#/$defs/JsonValue"})) == [
        "#/$defs/JsonValue"
    ]
    assert list(unconstrained({"type": "array", "items": {"anyOf": [{"type": "integer"}, {}]}})) == [
        "#/items/anyOf/1"
    ]


@pytest.mark.parametrize("location", LOCATIONS, ids=[loc.name for loc in LOCATIONS])
def test_no_schema_accepts_any_value(location: Any, tmp_path: Path) -> None:
    module = importlib.reload(importlib.import_module(mcp_module(location)))
    module.runtime.configure(Settings(data_dir=tmp_path / "data", signing_key="k"))  # type: ignore[arg-type]

    async def run() -> list[Any]:
        try:
            async with Client(module.server) as client:
                return list((await client.list_tools()).tools)
        finally:
            await module.runtime.stop()

    problems = []
    for tool in anyio.run(run):
        problems += [f"{tool.name} input {p}" for p in unconstrained(tool.input_schema)]
        problems += [
            f"{tool.name} output {p}" for p in unconstrained(tool.output_schema or {"type": "object"})
        ]
    assert problems == []
