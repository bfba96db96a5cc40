"""The editor's vocabulary through the real MCP server: a .cube LUT registered in media_v2
grades the whole output (identity: frames unchanged), with a colour-clip layer over a clip."""

from __future__ import annotations

from typing import Any

import anyio
import numpy as np

from core.ffmpeg.frames import read_frames
from tests.muscles.video_render.conftest import RenderServer
from tests.muscles.video_render.editing import pattern_clip
from tests.muscles.video_render.test_editing import _identity_cube

WAIT_S = 120.0


def _frames(server: RenderServer, uri: str, name: str) -> Any:
    path = server.store.materialize(server.scope, uri, server.settings.data_dir / name)
    with read_frames(path, width=64, height=36) as reader:
        return np.stack(list(reader)).astype(np.int16)


def test_a_registered_identity_lut_on_the_output_leaves_the_render_unchanged(
    render_server: RenderServer,
) -> None:
    server = render_server
    server.media.mkdir(parents=True, exist_ok=True)
    clip = pattern_clip(server.media / "ramp.mp4", "r='X*4':g='Y*7':b='40+X'", seconds=1.0)
    lut = _identity_cube(server.media / "identity.cube")
    clip_ref = server.store.register_staged(server.scope, server.store.stage_local(clip), clip.name)
    lut_ref = server.store.register_staged(server.scope, server.store.stage_local(lut), lut.name)
    assert lut_ref.mime_type == "text/x-cube-lut"
    tracks: list[dict[str, Any]] = [
        {"id": "v", "clips": [{"id": "c", "uri": clip_ref.uri, "source_out_s": 1.0}]},
        {
            "id": "badge",
            "clips": [
                {
                    "id": "dot",
                    "uri": "color:white",
                    "duration_s": 0.5,
                    "start_s": 0.2,
                    "layout": {"x": 0.75, "y": 0.0, "width": 0.25, "height": 0.25},
                }
            ],
        },
    ]
    plain = {"tracks": tracks, "output": {"fps": 10, "crf": 0}}
    graded = {"tracks": tracks, "output": {"fps": 10, "crf": 0, "grade": {"lut": lut_ref.uri}}}

    async def run() -> list[dict[str, Any]]:
        contents = []
        async with server.session() as client:
            for name, timeline in (("plain.mp4", plain), ("graded.mp4", graded)):
                with anyio.fail_after(WAIT_S):
                    result = await client.call_tool("render", {"timeline": timeline, "filename": name})
                assert not result.is_error, result.structured_content
                assert result.structured_content is not None
                contents.append(result.structured_content)
        return contents

    first, second = anyio.run(run)
    assert first["frame_count"] == second["frame_count"] == 10
    before, after = (
        _frames(server, first["media"]["uri"], "a.mp4"),
        _frames(server, second["media"]["uri"], "b.mp4"),
    )
    assert np.abs(before - after).max() <= 1
    assert before[4][2, 60].min() > 240 and before[0][2, 60].min() < 200  # the white badge, from 0.2 s
    assert server.leftovers() == []
