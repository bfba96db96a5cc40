"""The strokes recovered from a synthetic air drawing follow the drawn path, the pen is up
while the marker travels fast, a hidden marker breaks the stroke, and twice is the same."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import anyio

from tests.muscles.video_360.conftest import SphereServer

from .scene import FPS, HEIGHT, WIDTH, distance_to_drawing, script, write_scene

# Measured here: the farthest stroke point lies 1.0 px from the drawn path (the P-controller's
# lag cutting the circle's chords and the L's corner); the disc is 18 px across.
BOUND_PX = 3.0


def _trace(server: SphereServer, uri: str, calls: int = 1) -> list[dict[str, Any]]:
    async def run() -> list[dict[str, Any]]:
        results = []
        async with server.session() as client:
            for _ in range(calls):
                with anyio.fail_after(120):
                    result = await client.call_tool("trace", {"uri": uri})
                assert not result.is_error, result.structured_content
                results.append(result.structured_content)
        return results

    return anyio.run(run)


def test_strokes_follow_the_drawing_and_lift_on_travel(canvas_server: SphereServer, tmp_path: Path) -> None:
    server = canvas_server
    video = server.register(write_scene(tmp_path / "air.mp4"))
    first, second = _trace(server, video.uri, calls=2)
    # Same input, same output: the strokes document and the overlay, byte for byte.
    assert first["strokes"]["sha256"] == second["strokes"]["sha256"]
    assert first["overlay"]["sha256"] == second["overlay"]["sha256"]
    frames = script()
    assert first["frames"] == len(frames)
    assert first["frames_with_marker"] == sum(position.xy is not None for position in frames)
    overlay = first["overlay"]
    assert (overlay["width"], overlay["height"], overlay["fps"]) == (WIDTH, HEIGHT, float(FPS))

    document = server.store.describe(server.scope, first["strokes"]["uri"])
    drawing = json.loads(server.store.open(document, tmp_path / "strokes.json").read_text())
    assert (drawing["width"], drawing["height"], drawing["fps"]) == (WIDTH, HEIGHT, float(FPS))
    strokes = drawing["strokes"]
    # The circle; the L, broken where the marker was hidden.
    assert len(strokes) == first["stroke_count"] == 3
    points = [point for stroke in strokes for point in stroke["points"]]
    assert len(points) == first["point_count"]
    worst = max(distance_to_drawing(p["x"], p["y"]) for p in points)
    assert worst <= BOUND_PX, worst
    for p in points:
        assert math.isclose(p["nx"], p["x"] / WIDTH, abs_tol=1e-5) and math.isclose(
            p["ny"], p["y"] / HEIGHT, abs_tol=1e-5
        )

    by_time = {round(p["t"] * FPS): p for p in points}
    for index, position in enumerate(frames):
        if position.phase == "travel" or position.xy is None:
            assert index not in by_time, (index, position)  # pen up while travelling and while hidden
        elif position.phase in ("circle", "letter"):
            previous = frames[index - 1]
            if previous.xy is not None and previous.phase != "travel":
                assert index in by_time, (index, position)  # pen down while drawing
    # No jump inside a stroke: neighbouring points are one slow frame apart.
    for stroke in strokes:
        for a, b in zip(stroke["points"], stroke["points"][1:], strict=False):
            assert math.dist((a["x"], a["y"]), (b["x"], b["y"])) < 400 / FPS
    # The circle is closed and round, the L reaches its foot's end.
    circle = strokes[0]["points"]
    assert len(circle) >= 60
    assert max(p["x"] for p in strokes[2]["points"]) > 270
