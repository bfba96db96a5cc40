"""MuscleRuntime: the one boundary between MCP and a muscle."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.server.mcpserver import Context

from core.contract import Muscle, tool
from core.errors import AssetNotFound
from core.progress import Progress, RecordingProgress
from core.scope import Scope
from core.serving.runtime import MuscleRuntime
from core.serving.server import MuscleServer
from core.settings import Settings

pytestmark = pytest.mark.anyio


class Probe(Muscle):
    """A muscle that records how it is called."""

    version = "1.0.0"
    startups = 0

    async def startup(self) -> None:
        await anyio.sleep(0.01)  # give concurrent starters the chance to race
        type(self).startups += 1

    @tool
    async def where(self, scope: Scope, progress: Progress) -> str:
        """Report the tenant and half-way progress."""
        await progress.report(0.5, "half")
        return scope.tenant_id

    @tool
    def blocking(self) -> bool:
        """Return whether the call ran off the event loop's thread."""
        return threading.current_thread() is not threading.main_thread()

    @tool
    async def missing(self) -> str:
        """Fail the way tools should fail."""
        raise AssetNotFound("nothing here", value="x")

    @tool
    async def crash(self) -> str:
        """Fail the way tools should not."""
        raise RuntimeError("secret internal detail /srv/data/key.pem")


def _server(runtime: MuscleRuntime) -> MuscleServer:
    """What a generated mcp.py does, written out for this test's muscle."""
    server = MuscleServer(name="probe", lifespan=runtime.lifespan)

    def bind(name: str, returns: type) -> None:
        async def call(ctx: Context) -> Any:
            return await runtime.call(ctx, name)

        call.__annotations__["return"] = returns
        server.add_tool(call, name=name)

    for name, returns in (("where", str), ("blocking", bool), ("missing", str), ("crash", str)):
        bind(name, returns)
    return server


@pytest.fixture
def runtime(tmp_path: Path) -> MuscleRuntime:
    Probe.startups = 0
    return MuscleRuntime(Probe, Settings(data_dir=tmp_path, tenant_id="configured-tenant"))


async def test_startup_runs_once_however_many_callers_race(runtime: MuscleRuntime) -> None:
    async with anyio.create_task_group() as group:
        for _ in range(10):
            group.start_soon(runtime.start)
    assert Probe.startups == 1


async def test_injected_scope_and_progress_reach_the_tool(runtime: MuscleRuntime) -> None:
    progress = RecordingProgress()
    tenant = await runtime.invoke("where", {}, progress=progress, scope=Scope(tenant_id="t-1"))
    assert tenant == "t-1"
    assert progress.reports == [(0.5, "half")]


async def test_sync_tools_run_off_the_event_loop_thread(runtime: MuscleRuntime) -> None:
    async with Client(_server(runtime)) as client:
        result = await client.call_tool("blocking", {})
    assert result.structured_content == {"result": True}


async def test_stdio_calls_act_for_the_configured_tenant(runtime: MuscleRuntime) -> None:
    async with Client(_server(runtime)) as client:
        result = await client.call_tool("where", {})
    assert result.structured_content == {"result": "configured-tenant"}


async def test_a_domain_error_becomes_a_coded_tool_error(runtime: MuscleRuntime) -> None:
    async with Client(_server(runtime)) as client:
        result = await client.call_tool("missing", {})
    assert result.is_error
    assert result.structured_content == {
        "error": {
            "code": "asset_not_found",
            "message": "nothing here",
            "hint": AssetNotFound.default_hint,
            "value": "x",
        }
    }


async def test_a_crash_is_logged_with_its_traceback_and_reaches_the_client_without_it(
    runtime: MuscleRuntime, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="core.serving.runtime"):
        async with Client(_server(runtime)) as client:
            result = await client.call_tool("crash", {})
    assert result.is_error
    assert result.structured_content is not None
    assert result.structured_content["error"]["code"] == "internal_error"
    text = "".join(getattr(block, "text", "") for block in result.content)
    assert "secret internal detail" not in text and "Traceback" not in text
    assert any(
        record.exc_info and "secret internal detail" in str(record.exc_info[1]) for record in caplog.records
    )
