"""The cubemap tool over MCP: the laid-out picture and, on request, each face as its own PNG,
equal to py360convert's faces; a video's faces stay in one video."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import cv2
import numpy as np
import py360convert

from .conftest import SphereServer, turning_sphere, write_png, write_sphere_video
from .patterns import checker_pattern, mean_abs_diff


def test_separate_faces_are_py360convert_faces(sphere_server: SphereServer, tmp_path: Path) -> None:
    server = sphere_server
    image = checker_pattern(256, 512)
    picture = server.register(write_png(tmp_path / "sphere.png", image)).uri
    video = server.register(write_sphere_video(tmp_path / "turning.mp4", turning_sphere(3, 128, 256))).uri
    request = {"face_size": 64, "layout": "3x2", "separate_faces": True}

    async def run() -> tuple[Any, Any]:
        async with server.session() as client:
            with anyio.fail_after(60):
                made = await client.call_tool("cubemap", {"uri": picture, **request})
                refused = await client.call_tool("cubemap", {"uri": video, **request})
        return made, refused

    made, refused = anyio.run(run)
    assert not made.is_error, made.structured_content
    result = made.structured_content
    assert (result["media"]["width"], result["media"]["height"]) == (192, 128)
    faces = result["faces"]
    assert [face["filename"] for face in faces] == [f"sphere-360-{f}.png" for f in "FRBLUD"]
    expected = py360convert.e2c(image, 64, mode="bilinear", cube_format="dict")
    for face, letter in zip(faces, "FRBLUD", strict=True):
        stored = server.store.open(
            server.store.describe(server.scope, face["uri"]), tmp_path / f"{letter}.png"
        )
        got = np.ascontiguousarray(cv2.imread(str(stored))[..., ::-1])
        assert got.shape == (64, 64, 3)
        assert mean_abs_diff(got, expected[letter]) <= 1 / 255, letter
    assert refused.is_error
    assert refused.structured_content["error"]["code"] == "invalid_input"
    assert refused.structured_content["error"]["value"] == "separate_faces"
    assert server.leftovers() == []
