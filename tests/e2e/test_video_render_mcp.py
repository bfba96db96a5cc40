"""video_render over real stdio: the official MCP client renders a crossfade timeline and
receives progress notifications; the same timeline as a job (on the data dir's job daemon)
gives the very same MP4."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

from core.jobs import JobEngine
from core.media.store import MediaStore
from core.scope import Scope
from core.settings import Settings
from tests.e2e.conftest import muscle_env
from tests.muscles.video_render.media import crossfade_timeline, register_clip


def test_render_over_stdio_reports_progress_and_registers_the_mp4(tmp_path: Path) -> None:
    env = muscle_env(tmp_path, ATOMS_DASK_WORKERS="1")
    settings = Settings(data_dir=tmp_path / "data", tenant_id="tenant-a", signing_key="e2e-signing-key")
    store, scope = MediaStore.from_settings(settings), Scope(tenant_id="tenant-a")
    first = register_clip(store, scope, tmp_path / "media", "a.mp4", seconds=2)
    second = register_clip(store, scope, tmp_path / "media", "b.mp4", seconds=2)
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "muscles", "serve", "video_render"], env=env, cwd=str(tmp_path)
    )
    reports: list[tuple[float, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        reports.append((progress, message))

    async def run() -> tuple[dict[str, Any], dict[str, Any]]:
        async with Client(params) as client:
            timeline = crossfade_timeline(first.uri, second.uri)
            with anyio.fail_after(180):
                rendered = await client.call_tool(
                    "render", {"timeline": timeline}, progress_callback=on_progress
                )
            assert not rendered.is_error, rendered.structured_content
            assert rendered.structured_content is not None
            submitted = await client.call_tool("submit_render", {"timeline": timeline})
            job_id = submitted.structured_content["job_id"]  # type: ignore[index]
            with anyio.fail_after(180):
                while (status := await client.call_tool("job_status", {"job_id": job_id})).structured_content[  # type: ignore[index]  # noqa: ASYNC110 - a client polls
                    "state"
                ] not in ("succeeded", "failed", "cancelled"):
                    await anyio.sleep(0.2)
            result = await client.call_tool("job_result", {"job_id": job_id})
            assert status.structured_content is not None and result.structured_content is not None
            return rendered.structured_content, {
                **status.structured_content,
                "result": result.structured_content,
            }

    try:
        rendered, status = anyio.run(run)
    finally:
        anyio.run(JobEngine(settings).stop_daemon)
    assert rendered["media"]["mime_type"] == "video/mp4" and rendered["frame_count"] == 65  # 2.6 s at 25 fps
    assert status["state"] == "succeeded" and status["attempts"] == 1
    assert status["result"]["media"] == rendered["media"]  # the job path makes the very same bytes
    assert reports, "no progress notification reached the client"
    assert store.stat(scope, rendered["media"]["uri"]).sha256 == rendered["media"]["sha256"]
