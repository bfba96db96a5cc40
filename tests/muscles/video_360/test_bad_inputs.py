"""Each bad input gets a coded error with a hint and the offending value, and leaves nothing
behind (no stored output, no work folder, no ffmpeg), called directly and as a job."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

import anyio
import numpy as np

from core.ffmpeg import ffmpeg_binary
from core.media.probe import MediaInfo
from core.storage import asset_key

from .conftest import SphereServer, write_png
from .patterns import sphere_pattern


def _frameless_video(server: SphereServer, tmp_path: Path) -> str:
    """A Matroska file whose video track holds no frames, stored with the probe a 2:1 video
    would have had (as a file changed behind media_v2's back): registration refuses such a
    file, so this is the only way one reaches a tool."""
    path = tmp_path / "empty.mkv"
    subprocess.run(
        [
            *(ffmpeg_binary(), "-hide_banner", "-loglevel", "error"),
            *(
                "-f",
                "lavfi",
                "-i",
                "testsrc2=s=512x256:d=1",
                "-frames:v",
                "0",
                "-c:v",
                "libx264",
                "-y",
                str(path),
            ),
        ],
        check=True,
    )
    probe = MediaInfo(
        format_name="matroska,webm",
        duration_s=1.0,
        has_video=True,
        has_audio=False,
        width=512,
        height=256,
        fps=25.0,
    )
    body = path.read_bytes()
    digest = hashlib.sha256(body).hexdigest()
    key = asset_key(server.scope.tenant_id, server.store.env, digest[:32], path.name)
    metadata = {"probe": json.dumps(dataclasses.asdict(probe), sort_keys=True), "duration_s": "1.0"}
    server.store.storage.put_file(
        key, path, content_type="video/x-matroska", sha256=digest, metadata=metadata
    )
    return f"atoms://media/{digest[:32]}/{path.name}"


async def _settled(client: Any, job_id: str) -> None:
    # Polls as a client polls (job_status), bounded: a job that never ends fails the test.
    with anyio.fail_after(120):
        while True:
            status = (await client.call_tool("job_status", {"job_id": job_id})).structured_content
            if status["state"] not in ("queued", "running"):
                return
            await anyio.sleep(0.1)


def test_bad_inputs_get_coded_errors_and_leave_nothing(sphere_server: SphereServer, tmp_path: Path) -> None:
    server = sphere_server
    sphere = server.register(write_png(tmp_path / "sphere.png", sphere_pattern(128, 256))).uri
    flat = server.register(write_png(tmp_path / "flat.png", np.zeros((200, 300, 3), np.uint8))).uri
    frameless = _frameless_video(server, tmp_path)
    cases: dict[str, tuple[str, dict[str, Any], str, Any]] = {
        "not_equirect": ("perspective", {"uri": flat}, "not_equirectangular", "300x200"),
        "fov_too_wide": (
            "perspective",
            {"uri": sphere, "view": {"h_fov": 190}},
            "view_out_of_range",
            "view.h_fov",
        ),
        "fov_zero": ("perspective", {"uri": sphere, "view": {"v_fov": 0}}, "view_out_of_range", "view.v_fov"),
        "path_fov": (
            "reframe",
            {"uri": sphere, "camera": {"h_fov": [{"time_s": 0, "value": 60}, {"time_s": 1, "value": 175}]}},
            "view_out_of_range",
            "camera key 1.h_fov",
        ),
        "keys_out_of_order": (
            "reframe",
            {"uri": sphere, "camera": {"yaw": [{"time_s": 1, "value": 0}, {"time_s": 0.5, "value": 90}]}},
            "automation_invalid",
            "camera.yaw.1.time_s",
        ),
        "no_frames": ("perspective", {"uri": frameless, "width": 64, "height": 32}, "no_frames", frameless),
        "not_a_cubemap": ("to_equirect", {"uri": flat, "layout": "dice"}, "not_a_cubemap", "300x200"),
        "odd_size": ("cubemap", {"uri": sphere, "face_size": 33}, "invalid_input", "width"),
    }
    before = server.store.list(server.scope)

    async def run() -> dict[str, dict[str, Any]]:
        errors = {}
        async with server.session() as client:
            for name, (tool, request, _, _) in cases.items():
                for variant in (tool, f"submit_{tool}"):
                    with anyio.fail_after(60):
                        result = await client.call_tool(variant, request)
                    if not result.is_error and variant.startswith("submit_"):
                        # Refused only once the job ran (the check passes on recorded facts).
                        job = result.structured_content["job_id"]  # type: ignore[index]
                        with anyio.fail_after(60):
                            await _settled(client, job)
                        result = await client.call_tool("job_result", {"job_id": job})
                    assert result.is_error, (name, variant, result.structured_content)
                    assert result.structured_content is not None
                    errors[f"{name}/{variant}"] = result.structured_content["error"]
        return errors

    errors = anyio.run(run)
    for name, (tool, _, code, value) in cases.items():
        for variant in (tool, f"submit_{tool}"):
            error = errors[f"{name}/{variant}"]
            assert error["code"] == code, (name, variant, error)
            assert error["value"] == value, (name, variant, error)
            assert error["hint"], name
    assert server.store.list(server.scope) == before
    assert server.leftovers() == []
