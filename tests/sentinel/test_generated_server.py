"""A generated mcp.py, run as a real stdio server, serves exactly the spec's schemas,
injects progress and scope, and maps failures to coded tool errors."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

from core.discovery import locate
from sentinel.generate import generate
from tests.conftest import add_service
from tests.e2e.conftest import muscle_env

CASE = Path(__file__).parent / "cases" / "basic" / "service.py"


def test_generated_server_serves_the_spec_over_stdio(scratch_project: Path, tmp_path: Path) -> None:
    service = add_service(scratch_project, "demo", "basic", CASE.read_text())
    outcome = generate(locate(service))
    assert outcome.spec is not None
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "muscles.demo.basic.mcp"],
        cwd=str(scratch_project),
        env=muscle_env(tmp_path, ATOMS_TENANT_ID="tenant-xyz"),
    )
    progress: list[tuple[float, float | None, str | None]] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append((value, total, message))

    async def run() -> dict[str, Any]:
        async with Client(params) as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
            counted = await client.call_tool("count", {"text": "a b c"}, progress_callback=on_progress)
            refused = await client.call_tool("count", {"text": ""})
            who = await client.call_tool("whoami", {})
        return {"tools": tools, "counted": counted, "refused": refused, "who": who}

    out = anyio.run(run)
    spec_tools = {t.name: t for t in outcome.spec.tools}
    assert set(out["tools"]) == set(spec_tools)
    for name, tool in out["tools"].items():
        assert tool.input_schema == spec_tools[name].input_schema, name
        assert tool.output_schema == spec_tools[name].output_schema, name
        assert tool.description == spec_tools[name].description, name
    assert "progress" not in out["tools"]["count"].input_schema["properties"]
    assert out["counted"].structured_content == {"words": 3, "characters": 5, "unit": "words"}
    assert progress == [(1.0, 1.0, "counted")]
    assert out["refused"].is_error
    assert out["refused"].structured_content["error"]["code"] == "invalid_input"
    assert out["who"].structured_content == {"result": "tenant-xyz"}
