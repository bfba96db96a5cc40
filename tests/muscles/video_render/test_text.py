"""Overlay text in any script: CJK glyphs and colour emoji are drawn (not boxes), and a
character no installed font has is named in a warning."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import anyio
import numpy as np
import numpy.typing as npt
import pytest

from core.ffmpeg.runner import ffmpeg_binary
from tests.conftest import require
from tests.muscles.video_render.conftest import RenderServer

SIZE = (320, 180)


def _fonts_installed() -> bool:
    def covers(pattern: str) -> bool:
        found = subprocess.run(["fc-list", pattern], capture_output=True, text=True, check=False)
        return bool(found.stdout.strip())

    return covers(":charset=4f60") and covers(":charset=1f600:color=True")


@pytest.fixture
def black_clip(render_server: RenderServer) -> str:
    require(_fonts_installed(), "fonts-noto-cjk and fonts-noto-color-emoji are not installed")
    path = render_server.media / "black.mp4"
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            ffmpeg_binary(),
            *(
                "-loglevel",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                f"color=c=black:s={SIZE[0]}x{SIZE[1]}:r=25:d=3",
            ),
            *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)),
        ],
        check=True,
    )
    store = render_server.store
    return store.register_staged(render_server.scope, store.stage_local(path), path.name).uri


def _overlay(overlay_id: str, text: str, start: float) -> dict[str, Any]:
    return {
        "id": overlay_id,
        "text": text,
        "start_s": start,
        "end_s": start + 1.0,
        "position": "center",
        "font_size": 48,
        "box": False,
    }


def _render(server: RenderServer, timeline: dict[str, Any]) -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        async with server.session() as client:
            with anyio.fail_after(120):
                result = await client.call_tool("render", {"timeline": timeline})
        assert not result.is_error and result.structured_content is not None, result.content
        return result.structured_content

    return anyio.run(run)


def _frame(path: Path, at: float) -> npt.NDArray[np.int16]:
    args = ["-loglevel", "error", "-ss", str(at), "-i", str(path), "-frames:v", "1"]
    raw = subprocess.run(
        [ffmpeg_binary(), *args, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], check=True, capture_output=True
    ).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(SIZE[1], SIZE[0], 3).astype(np.int16)


def test_cjk_and_colour_emoji_are_drawn_and_a_missing_glyph_is_named(
    render_server: RenderServer, black_clip: str
) -> None:
    server = render_server
    timeline = {
        "tracks": [{"id": "v", "clips": [{"id": "bg", "uri": black_clip}]}],
        "overlays": [
            _overlay("hello", "你好", 0.0),
            _overlay("world", "世界", 1.0),
            _overlay("smile", "😀 \U0010fffd", 2.0),
        ],
        "output": {"fps": 25},
    }
    content = _render(server, timeline)
    path = server.store.materialize(server.scope, content["media"]["uri"], server.settings.data_dir / "t.mp4")
    hello, world, smile = (_frame(path, at) for at in (0.5, 1.5, 2.5))
    middle = (slice(50, 130), slice(80, 240))
    # Drawn: the text's pixels stand out of the black background ...
    assert (hello[middle].max(axis=2) > 128).sum() > 200
    # ... and two different words are two different pictures (empty boxes would look the same).
    assert np.abs(hello[middle] - world[middle]).mean() > 5
    # The emoji keeps its colours: a yellow face, though the text colour is white.
    red, green, blue = (smile[middle][..., channel] for channel in range(3))
    assert ((red > 150) & (green > 110) & (blue < 90)).sum() > 100
    assert content["warnings"] == [
        "overlay smile: no installed font draws '\\U0010fffd' (U+10FFFD); it shows as a box"
    ]
    assert server.leftovers() == []
