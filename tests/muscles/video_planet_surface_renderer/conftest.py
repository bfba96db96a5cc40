"""A planet muscle's server per test (its generated mcp.py, scratch storage), reached through
the official MCP client in memory; the other planet muscles' tests use the same fixture."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from mcp import Client

from core.ffmpeg.frames import read_frames
from core.media.store import MediaStore
from core.scope import Scope
from core.settings import Settings

TENANT = "tenant-haze"


@dataclass
class PlanetServer:
    module: Any
    settings: Settings
    store: MediaStore
    scope: Scope

    @asynccontextmanager
    async def session(self) -> AsyncIterator[Client]:
        try:
            async with Client(self.module.server) as client:
                yield client
        finally:
            if self.module.runtime.job_tools.tools:
                await self.module.runtime.jobs.stop_daemon()
            await self.module.runtime.stop()

    async def call(self, client: Client, tool: str, args: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
        result = await client.call_tool(tool, args)
        assert result.structured_content is not None, result.content
        return bool(result.is_error), result.structured_content

    def frames(self, uri: str, width: int, height: int) -> list[np.ndarray]:
        """Every decoded frame of a stored video."""
        path = self.settings.data_dir / f"check-{uri.rsplit('/', 2)[1]}.mp4"
        self.store.materialize(self.scope, uri, path)
        with read_frames(path, width=width, height=height) as reader:
            return list(reader)

    def leftovers(self) -> list[str]:
        """Anything a call left in its work folders or the staging area."""
        found = []
        for folder in (self.settings.data_dir / "work", self.settings.data_dir / "staging"):
            if folder.exists():
                found += [str(p.relative_to(self.settings.data_dir)) for p in folder.rglob("*")]
        return found


def planet_server(muscle: str, tmp_path: Path) -> PlanetServer:
    module = importlib.reload(importlib.import_module(f"muscles.video.{muscle}.mcp"))
    settings = Settings(
        data_dir=tmp_path / "data",
        tenant_id=TENANT,
        signing_key="test-signing-key",
        dask_workers=1,
        jobs_idle_s=60,
    )
    module.runtime.configure(settings)
    return PlanetServer(module, settings, MediaStore.from_settings(settings), Scope(tenant_id=TENANT))


@pytest.fixture
def renderer(tmp_path: Path) -> Iterator[PlanetServer]:
    yield planet_server("video_planet_surface_renderer", tmp_path)
