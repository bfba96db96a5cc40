"""A long slow motion reports progress, and cancelling it (the MCP call, or its job) stops the
frame pipe's ffmpeg processes and stores nothing."""

from __future__ import annotations

import importlib
from typing import Any

import anyio
import pytest
from mcp import Client

from tests.media_samples import ffmpeg_running_under, write_test_video

from .conftest import VideoServers

WAIT_S = 120.0


async def _until_clean(servers: VideoServers) -> None:
    with anyio.fail_after(WAIT_S):
        # Polling: processes exiting in another process tree set no event here.
        while ffmpeg_running_under(servers.settings.data_dir) or servers.leftovers():  # noqa: ASYNC110
            await anyio.sleep(0.1)


@pytest.mark.parametrize("preset", ["flow", "mci"])
def test_cancelling_a_slow_motion_stops_its_processes_and_stores_nothing(
    servers: VideoServers, preset: str
) -> None:
    uri = servers.register(write_test_video(servers.media / "long.mp4", seconds=4.0, size="320x240"))
    before = servers.store.list(servers.scope)
    module = importlib.reload(importlib.import_module("muscles.video.video_slowmo.mcp"))
    module.runtime.configure(servers.settings)
    seen: list[tuple[float, str | None]] = []
    running = anyio.Event()

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, message))
        if progress > 0.02:
            running.set()

    async def run() -> None:
        try:
            async with Client(module.server) as client:
                async with anyio.create_task_group() as tg:

                    async def call() -> Any:
                        await client.call_tool(
                            "slowmo",
                            {"uri": uri, "factor": 0.1, "preset": preset},
                            progress_callback=on_progress,
                        )

                    tg.start_soon(call)
                    with anyio.fail_after(WAIT_S):
                        await running.wait()
                    assert ffmpeg_running_under(servers.settings.data_dir)
                    tg.cancel_scope.cancel()  # the SDK sends notifications/cancelled
                await _until_clean(servers)
        finally:
            await module.runtime.stop()

    anyio.run(run)
    assert seen and all(0 <= p <= 1 for p, _ in seen) and any(preset in (m or "") for _, m in seen)
    assert servers.store.list(servers.scope) == before
    assert ffmpeg_running_under(servers.settings.data_dir) == []
