"""A video_review server per test (its generated mcp.py, scratch storage), reached through the
official MCP client in memory, and ways to read back what it stored."""

from __future__ import annotations

import importlib
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from mcp import Client

from core.ffmpeg import ffmpeg_binary
from core.media import probe_sync
from core.media.ref import MediaRef
from core.media.store import MediaStore
from core.scope import Scope
from core.settings import Settings

TENANT = "tenant-r"


@dataclass
class ReviewServer:
    module: Any
    settings: Settings
    store: MediaStore
    scope: Scope
    media: Path

    @asynccontextmanager
    async def session(self) -> AsyncIterator[Client]:
        try:
            async with Client(self.module.server) as client:
                yield client
        finally:
            await self.module.runtime.stop()

    def register(self, path: Path) -> MediaRef:
        return self.store.register_staged(self.scope, self.store.stage_local(path), path.name)

    def fetch(self, uri: str, name: str) -> Path:
        """A stored asset's bytes, copied out to a local file."""
        path = self.settings.data_dir / "fetched" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        self.store.materialize(self.scope, uri, path)
        return path

    def leftovers(self) -> list[str]:
        """Anything a call left in the work folders or the staging area."""
        data = self.settings.data_dir
        return sorted(
            str(p.relative_to(data))
            for folder in (data / "work", self.store.work_dir)
            if folder.exists()
            for p in folder.rglob("*")
        )


@pytest.fixture
def review_server(tmp_path: Path) -> ReviewServer:
    module = importlib.reload(importlib.import_module("muscles.video.video_review.mcp"))
    settings = Settings(data_dir=tmp_path / "data", tenant_id=TENANT, signing_key="test-signing-key")
    module.runtime.configure(settings)
    return ReviewServer(
        module, settings, MediaStore.from_settings(settings), Scope(tenant_id=TENANT), tmp_path / "media"
    )


def read_rgb(path: Path) -> npt.NDArray[np.uint8]:
    """An image file's pixels (H x W x 3), decoded by ffmpeg."""
    info = probe_sync(path)
    assert info.width and info.height
    raw = subprocess.run(
        [ffmpeg_binary(), "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(info.height, info.width, 3)
