"""A video_batch_render server per test (its generated mcp.py, the data dir's own job daemon
with two worker processes, scratch storage), reached through the official MCP client in memory."""

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

TENANT = "tenant-b"


@dataclass
class BatchServer:
    settings: Settings
    store: MediaStore
    scope: Scope
    media: Path

    @asynccontextmanager
    async def session(self, *, stop_daemon: bool = True) -> AsyncIterator[Client]:
        """An MCP client on a freshly loaded server (a restart is a second session); the
        muscle stops in the same loop, and the data dir's job daemon with it unless told not to."""
        module: Any = importlib.reload(importlib.import_module("muscles.video.video_batch_render.mcp"))
        module.runtime.configure(self.settings)
        try:
            async with Client(module.server) as client:
                yield client
        finally:
            if stop_daemon:
                await module.runtime.jobs.stop_daemon()
            await module.runtime.stop()

    def leftovers(self) -> list[str]:
        """Anything a render left in the work folders or the staging area."""
        found = []
        for folder in (self.settings.data_dir / "work", self.settings.data_dir / "staging"):
            if folder.exists():
                found += [str(p.relative_to(self.settings.data_dir)) for p in folder.rglob("*")]
        return found


@pytest.fixture
def batch_server(tmp_path: Path) -> BatchServer:
    settings = Settings(
        data_dir=tmp_path / "data",
        tenant_id=TENANT,
        signing_key="test-signing-key",  # type: ignore[arg-type]
        dask_workers=2,
        jobs_idle_s=60,
    )
    return BatchServer(
        settings, MediaStore.from_settings(settings), Scope(tenant_id=TENANT), tmp_path / "media"
    )
