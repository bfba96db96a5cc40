"""A cancelled reframe stops between frames: both ffmpeg processes stopped, nothing stored,
no work folder or partial file left."""

from __future__ import annotations

from pathlib import Path

import anyio

from core.progress import Progress
from muscles.video.video_360.models import CameraPath

from .conftest import SphereServer, turning_sphere, write_sphere_video

WAIT_S = 120.0


def test_cancelling_a_reframe_stops_its_ffmpeg_and_stores_nothing(
    sphere_server: SphereServer, tmp_path: Path
) -> None:
    server = sphere_server
    source = server.register(write_sphere_video(tmp_path / "turning.mp4", turning_sphere(50)))
    camera = {"yaw": [{"time_s": 0, "value": 0}, {"time_s": 2, "value": 180}]}
    messages: list[str] = []

    async def run() -> bool:
        call_scope = anyio.CancelScope()

        async def sink(fraction: float, total: float | None, message: str | None) -> None:
            messages.append(message or "")
            if (message or "").startswith("frame 11 "):
                call_scope.cancel()  # the worker thread is between frames: cancel now

        completed = False
        try:
            with anyio.fail_after(WAIT_S), call_scope:
                await server.module.runtime.invoke(
                    "reframe",
                    {
                        "uri": source.uri,
                        "camera": CameraPath.model_validate(camera),
                        "width": 160,
                        "height": 90,
                    },
                    progress=Progress(sink),
                    scope=server.scope,
                )
                completed = True
        finally:
            await server.module.runtime.stop()
        return completed

    completed = anyio.run(run)
    assert not completed
    assert any(m.startswith("frame 11 ") for m in messages)
    assert not any(m.startswith(("frame 31 ", "registering")) for m in messages)
    assert [ref.uri for ref in server.store.list(server.scope)] == [source.uri]
    assert server.leftovers() == []
