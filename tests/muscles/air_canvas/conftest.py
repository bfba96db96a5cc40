"""An air_canvas server per test (its generated mcp.py, scratch storage), reached through the
official MCP client in memory."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from core.media.store import MediaStore
from core.scope import Scope
from core.settings import Settings
from tests.muscles.video_360.conftest import TENANT, SphereServer


@pytest.fixture
def canvas_server(tmp_path: Path) -> SphereServer:
    module = importlib.reload(importlib.import_module("muscles.video.air_canvas.mcp"))
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
