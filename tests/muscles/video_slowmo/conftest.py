"""The video muscles' servers (their generated mcp.py, scratch storage, the job daemon when a
job starts one) reached through the official MCP client in memory."""

from __future__ import annotations

import importlib
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import numpy as np
import pytest
from mcp import Client

from core.ffmpeg.runner import ffmpeg_binary
from core.media.store import MediaStore
from core.scope import Scope
from core.settings import Settings

TENANT = "tenant-s"


@dataclass
class VideoServers:
    settings: Settings
    store: MediaStore
    scope: Scope
    media: Path

    def register(self, path: Path) -> str:
        return self.store.register_staged(self.scope, self.store.stage_local(path), path.name).uri

    def call(self, muscle: str, tool: str, args: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
        """One call to ``muscle``'s tool over MCP; (is_error, structured content)."""
        module = importlib.reload(importlib.import_module(f"muscles.video.{muscle}.mcp"))
        module.runtime.configure(self.settings)

        async def run() -> Any:
            try:
                async with Client(module.server) as client:
                    with anyio.fail_after(300):
                        return await client.call_tool(tool, args)
            finally:
                if module.runtime.job_tools.tools:
                    await module.runtime.jobs.stop_daemon()
                await module.runtime.stop()

        result = anyio.run(run)
        assert result.structured_content is not None, result.content
        return bool(result.is_error), result.structured_content

    def fetch(self, uri: str, name: str) -> Path:
        """The stored file, copied out for inspection."""
        path = self.media / "fetched" / name
        path.parent.mkdir(exist_ok=True)
        self.store.materialize(self.scope, uri, path)
        return path

    def leftovers(self) -> list[str]:
        found = []
        for folder in (self.settings.data_dir / "work", self.settings.data_dir / "staging"):
            if folder.exists():
                found += [str(p.relative_to(self.settings.data_dir)) for p in folder.rglob("*")]
        return found


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[VideoServers]:
    settings = Settings(
        data_dir=tmp_path / "data", tenant_id=TENANT, signing_key="test-signing-key", dask_workers=1
    )
    (tmp_path / "media").mkdir()
    yield VideoServers(
        settings, MediaStore.from_settings(settings), Scope(tenant_id=TENANT), tmp_path / "media"
    )


def decoded_audio(path: Path, rate: int = 16000) -> np.ndarray:
    """The first audio stream as mono float32 at ``rate``."""
    raw = subprocess.run(
        [
            ffmpeg_binary(),
            "-v",
            "error",
            "-i",
            str(path),
            "-map",
            "0:a:0",
            "-ac",
            "1",
            "-ar",
            str(rate),
            "-f",
            "f32le",
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, dtype="<f4")
