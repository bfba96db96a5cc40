"""A video_render server per test (its generated mcp.py, a real Dask LocalCluster, scratch
storage), reached through the official MCP client in memory."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from core.media.store import MediaStore
from core.scope import Scope
from core.settings import Settings

TENANT = "tenant-v"


@dataclass
class RenderServer:
    module: Any
    settings: Settings
    store: MediaStore
    scope: Scope
    media: Path

    @asynccontextmanager
    async def session(self) -> AsyncIterator[Client]:
        """An MCP client session; the muscle stops in the same loop, and its data dir's job
        daemon (if a job started one) with it."""
        try:
            async with Client(self.module.server) as client:
                yield client
        finally:
            await self.module.runtime.jobs.stop_daemon()
            await self.module.runtime.stop()

    @property
    def render_dir(self) -> Path:
        return self.settings.data_dir / "render"

    def leftovers(self) -> list[str]:
        """Anything a render left in its work folders or the staging area."""
        found = []
        for folder in (self.render_dir, self.settings.data_dir / "work", self.settings.data_dir / "staging"):
            if folder.exists():
                found += [str(p.relative_to(self.settings.data_dir)) for p in folder.rglob("*")]
        return found


@pytest.fixture
def render_server(tmp_path: Path) -> RenderServer:
    module = importlib.reload(importlib.import_module("muscles.video.video_render.mcp"))
    settings = Settings(
        data_dir=tmp_path / "data",
        tenant_id=TENANT,
        signing_key="test-signing-key",
        dask_workers=1,
        jobs_idle_s=60,
    )
    module.runtime.configure(settings)
    server = RenderServer(
        module, settings, MediaStore.from_settings(settings), Scope(tenant_id=TENANT), tmp_path / "media"
    )
    return server
