"""Cancelling a render (the MCP call) stops the shader and the encoder and stores nothing; the
torch engine, where installed, renders through the same path."""

from __future__ import annotations

from typing import Any

import anyio
import numpy as np
import pytest

from tests.media_samples import ffmpeg_running_under
from tests.muscles.video_planet_surface_renderer.conftest import PlanetServer

WAIT_S = 60.0
LONG: dict[str, Any] = {"width": 640, "height": 360, "duration_s": 120, "fps": 24}  # minutes of work here


def test_cancelling_the_call_stops_the_encoder_and_stores_nothing(renderer: PlanetServer) -> None:
    running = anyio.Event()

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        if progress > 0:  # frames are being rendered and encoded
            running.set()

    async def run() -> None:
        async with renderer.session() as client:
            async with anyio.create_task_group() as tg:

                async def call() -> None:
                    await client.call_tool(
                        "render", {"surface": LONG, "engine": "numpy"}, progress_callback=on_progress
                    )

                tg.start_soon(call)
                with anyio.fail_after(WAIT_S):
                    await running.wait()
                assert ffmpeg_running_under(renderer.settings.data_dir)
                tg.cancel_scope.cancel()  # the SDK sends notifications/cancelled
            with anyio.fail_after(WAIT_S):
                # Polling: a process exiting in another process tree sets no event here.
                while ffmpeg_running_under(renderer.settings.data_dir) or renderer.leftovers():  # noqa: ASYNC110
                    await anyio.sleep(0.1)

    anyio.run(run)
    assert renderer.store.list(renderer.scope) == []
    assert ffmpeg_running_under(renderer.settings.data_dir) == []


def test_the_torch_engine_renders_the_same_picture_as_numpy(renderer: PlanetServer) -> None:
    pytest.importorskip("torch", reason="torch is the optional gpu extra")
    surface = {"width": 160, "height": 96, "duration_s": 0.5, "fps": 8, "noise": "speckle", "seed": 4}

    async def run() -> list[tuple[bool, dict[str, Any]]]:
        with anyio.fail_after(WAIT_S * 2):
            async with renderer.session() as client:
                return [
                    await renderer.call(
                        client, "render", {"surface": surface, "engine": engine, "filename": f"{engine}.mp4"}
                    )
                    for engine in ("numpy", "torch")
                ]

    (numpy_error, by_numpy), (torch_error, by_torch) = anyio.run(run)
    assert not numpy_error and not torch_error, (by_numpy, by_torch)
    assert by_numpy["render_path"] == "numpy" and by_torch["render_path"] in ("torch-cpu", "torch-cuda")
    assert by_torch["frame_count"] == by_numpy["frame_count"] == 4
    ours = np.array(renderer.frames(by_numpy["media"]["uri"], 160, 96), dtype=int)
    theirs = np.array(renderer.frames(by_torch["media"]["uri"], 160, 96), dtype=int)
    assert np.abs(ours - theirs).mean() < 0.5  # float rounding, then the same encoder
