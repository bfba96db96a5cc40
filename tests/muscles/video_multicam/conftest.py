"""A video_multicam server (its generated mcp.py, scratch storage) reached through the official
MCP client in memory, and the scene its recordings are copied from (espeak-ng, made once)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from core.media.store import MediaStore
from core.scope import Scope
from core.settings import Settings
from tests.conftest import require
from tests.speech_samples import espeak_available

from .scene import Audio, Take, record, scene, write_video, write_wav

TENANT = "tenant-m"


@dataclass
class MulticamServer:
    settings: Settings
    store: MediaStore
    scope: Scope
    media: Path

    def store_take(self, source: Audio, take: Take, name: str) -> str:
        """The take written as a WAV (or, named .mp4, a camera clip) and stored; its uri."""
        audio = record(source, take)
        path = self.media / name
        if name.endswith(".mp4"):
            write_video(path, audio, take.rate)
        else:
            write_wav(path, audio, take.rate)
        return self.store.register_staged(self.scope, self.store.stage_local(path), name).uri

    def call(self, muscle: str, tool: str, args: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
        """One call to ``muscle``'s tool over MCP; (is_error, structured content)."""
        module = importlib.reload(importlib.import_module(f"muscles.video.{muscle}.mcp"))
        module.runtime.configure(self.settings)

        async def run() -> Any:
            try:
                async with Client(module.server) as client:
                    with anyio.fail_after(120):
                        return await client.call_tool(tool, args)
            finally:
                if module.runtime.job_tools.tools:
                    await module.runtime.jobs.stop_daemon()
                await module.runtime.stop()

        result = anyio.run(run)
        assert result.structured_content is not None, result.content
        return bool(result.is_error), result.structured_content

    def leftovers(self) -> list[str]:
        found = []
        for folder in (self.settings.data_dir / "work", self.settings.data_dir / "staging"):
            if folder.exists():
                found += [str(p.relative_to(self.settings.data_dir)) for p in folder.rglob("*")]
        return found


@pytest.fixture(scope="module")
def scene_audio(tmp_path_factory: pytest.TempPathFactory) -> Audio:
    require(espeak_available(), "espeak-ng is not installed")
    return scene(tmp_path_factory.mktemp("scene"), seconds=100.0)


@pytest.fixture
def multicam(tmp_path: Path) -> Iterator[MulticamServer]:
    settings = Settings(data_dir=tmp_path / "data", tenant_id=TENANT, signing_key="test-signing-key")
    (tmp_path / "media").mkdir()
    yield MulticamServer(
        settings, MediaStore.from_settings(settings), Scope(tenant_id=TENANT), tmp_path / "media"
    )
