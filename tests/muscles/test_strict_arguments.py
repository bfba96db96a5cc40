"""Every tool refuses an argument it does not know, naming it beside the known ones (a typo
such as ``prefx`` for ``prefix`` must not silently return unfiltered results), and every
input schema says so with ``additionalProperties: false``."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from core.discovery import find_services, mcp_module, project_root
from core.settings import Settings

LOCATIONS = find_services(project_root())


@pytest.mark.parametrize("location", LOCATIONS, ids=[loc.name for loc in LOCATIONS])
def test_an_unknown_argument_is_invalid_arguments_naming_it(location: Any, tmp_path: Path) -> None:
    module = importlib.reload(importlib.import_module(mcp_module(location)))
    module.runtime.configure(Settings(data_dir=tmp_path / "data", signing_key="k", dask_workers=1))  # type: ignore[arg-type]

    async def run() -> list[tuple[Any, Any]]:
        try:
            async with Client(module.server) as client:
                tools = (await client.list_tools()).tools
                return [(tool, await client.call_tool(tool.name, {"prefx": "a"})) for tool in tools]
        finally:
            await module.runtime.stop()

    for tool, result in anyio.run(run):
        assert tool.input_schema.get("additionalProperties") is False, tool.name
        assert result.is_error, f"{location.name}.{tool.name} accepted an unknown argument"
        error = result.structured_content["error"]
        assert error["code"] == "invalid_arguments", (tool.name, error)
        unknown = [p for p in error["details"]["errors"] if p["field"] == "prefx"]
        assert unknown and "unknown argument" in unknown[0]["problem"], (tool.name, error)
        known = sorted(tool.input_schema.get("properties", {}))
        assert error["details"]["known_arguments"] == known, (tool.name, error)
        assert "prefx" in error["message"]
