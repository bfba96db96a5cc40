"""Over MCP, a second call for the same view reuses the process's remap table, and a video's
frames share one table: builds are counted by the cache (a seam), not timed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio

from muscles.video.frames import TABLES

from .conftest import SphereServer, turning_sphere, write_png, write_sphere_video
from .patterns import sphere_pattern


def test_the_same_view_twice_builds_its_table_once(sphere_server: SphereServer, tmp_path: Path) -> None:
    server = sphere_server
    picture = server.register(write_png(tmp_path / "sphere.png", sphere_pattern(128, 256))).uri
    video = server.register(write_sphere_video(tmp_path / "turning.mp4", turning_sphere(10, 128, 256))).uri
    view = {"yaw": 12.5, "pitch": -7.0, "roll": 3.0, "h_fov": 80.0, "v_fov": 50.0}
    still_camera = {name: [{"time_s": 0, "value": value}] for name, value in view.items()}
    TABLES.clear()
    builds: list[int] = []

    async def run() -> None:
        async with server.session() as client:
            for tool, request in (
                ("perspective", {"uri": picture, "view": view, "width": 96, "height": 64}),
                (
                    "perspective",
                    {"uri": picture, "view": view, "width": 96, "height": 64, "filename": "again.png"},
                ),
                ("reframe", {"uri": video, "camera": still_camera, "width": 96, "height": 64}),
            ):
                with anyio.fail_after(60):
                    result: Any = await client.call_tool(tool, request)
                assert not result.is_error, result.structured_content
                builds.append(TABLES.builds)

    anyio.run(run)
    first = builds[0]
    assert first >= 1
    # The second call found the table; ten frames of a video at that view found it too.
    assert builds == [first, first, first]
