"""A video_360 server per test (its generated mcp.py, scratch storage), reached through the
official MCP client in memory, and 360 media made at test time."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from mcp import Client

from core.ffmpeg import FrameWriter
from core.media.ref import MediaRef
from core.media.store import MediaStore
from core.scope import Scope
from core.settings import Settings
from tests.media_samples import ffmpeg_running_under

from .patterns import sphere_pattern
from .samples import write_png

TENANT = "tenant-360"
# Lossless x264: the frames a test wrote are the frames the muscle decodes.
LOSSLESS = ("-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv444p")


@dataclass
class SphereServer:
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
            await self.module.runtime.jobs.stop_daemon()
            await self.module.runtime.stop()

    def register(self, path: Path) -> MediaRef:
        return self.store.register_staged(self.scope, self.store.stage_local(path), path.name)

    def leftovers(self) -> list[str]:
        found = []
        for folder in (self.settings.data_dir / "work", self.settings.data_dir / "staging"):
            if folder.exists():
                found += [str(p.relative_to(self.settings.data_dir)) for p in folder.rglob("*")]
        return found + [f"ffmpeg {pid}" for pid in ffmpeg_running_under(self.settings.data_dir)]


@pytest.fixture
def sphere_server(tmp_path: Path) -> SphereServer:
    module = importlib.reload(importlib.import_module("muscles.video.video_360.mcp"))
    settings = Settings(
        data_dir=tmp_path / "data",
        tenant_id=TENANT,
        signing_key="test-signing-key",  # type: ignore[arg-type]
        dask_workers=1,
        jobs_idle_s=60,
    )
    module.runtime.configure(settings)
    media = tmp_path / "media"
    media.mkdir()
    return SphereServer(module, settings, MediaStore.from_settings(settings), Scope(tenant_id=TENANT), media)


def turning_sphere(frames: int, height: int = 256, width: int = 512) -> list[np.ndarray]:
    """A 360 video's frames: the sphere pattern turning 4 pixels of longitude per frame."""
    still = sphere_pattern(height, width)
    return [np.roll(still, 4 * index, axis=1) for index in range(frames)]


def write_sphere_video(
    path: Path, frames: list[np.ndarray], fps: int = 25, audio_from: Path | None = None
) -> Path:
    height, width = frames[0].shape[:2]
    with FrameWriter(
        path, width=width, height=height, fps=fps, video_args=LOSSLESS, audio_from=audio_from
    ) as out:
        for frame in frames:
            out.write(frame)
    return path


__all__ = ["LOSSLESS", "SphereServer", "turning_sphere", "write_png", "write_sphere_video"]
