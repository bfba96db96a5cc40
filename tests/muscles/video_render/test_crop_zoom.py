"""Framing lanes (scale, position_x, position_y) render as a crop-and-zoom: over a still frame
of four coloured quadrants, the view moves from the whole frame into the red top-left quadrant
exactly as the keyframes say."""

from __future__ import annotations

import subprocess
from pathlib import Path

import anyio
import anyio.from_thread
import numpy as np

from core.ffmpeg import ffmpeg_binary
from core.ffmpeg.frames import read_frames
from core.media import BlockingWorkspace, Workspace
from core.media.store import MediaStore
from core.progress import RecordingProgress
from core.scope import Scope
from core.settings import Settings
from muscles.video.timeline import Timeline
from muscles.video.video_render.render import RenderedVideo, render_timeline

W, H = 320, 180
RED, GREEN, BLUE, WHITE = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)


def _quadrants(path: Path) -> Path:
    """Two seconds of a still frame: red, green (top), blue, white (bottom)."""
    boxes = ",".join(
        f"drawbox=x={x}:y={y}:w={W // 2}:h={H // 2}:c={c}:t=fill"
        for x, y, c in ((W // 2, 0, "lime"), (0, H // 2, "blue"), (W // 2, H // 2, "white"))
    )
    subprocess.run(
        [ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
         f"color=c=red:s={W}x{H}:r=25:d=2,{boxes}", "-c:v", "libx264", "-preset", "ultrafast",
         "-qp", "0", "-pix_fmt", "yuv444p", str(path)],
        check=True,
    )  # fmt: skip
    return path


def _render(tmp_path: Path, timeline: dict[str, object]) -> Path:
    settings = Settings(data_dir=tmp_path / "data", tenant_id="t1", signing_key="k")  # type: ignore[arg-type]
    store, scope = MediaStore.from_settings(settings), Scope(tenant_id="t1")
    source = _quadrants(tmp_path / "quadrants.mp4")
    clip = store.register_staged(scope, store.stage_local(source), "quadrants.mp4")
    tracks = timeline["tracks"]
    assert isinstance(tracks, list)
    tracks[0]["clips"][0]["uri"] = clip.uri

    async def run() -> RenderedVideo:
        with BlockingWorkspace(
            store, scope, settings.data_dir / "work", check_cancelled=anyio.from_thread.check_cancelled
        ) as blocking:
            return await render_timeline(
                Workspace(blocking), RecordingProgress(), Timeline.model_validate(timeline), "zoom.mp4"
            )

    rendered = anyio.run(run)
    assert rendered.frame_count == 50 and not rendered.stream_copy
    return store.materialize(scope, rendered.media.uri, tmp_path / "zoom.mp4")


def _nearest(pixel: np.ndarray) -> tuple[int, int, int]:
    colours = (RED, GREEN, BLUE, WHITE)
    distances = [float(np.abs(pixel.astype(int) - np.array(c)).sum()) for c in colours]
    return colours[int(np.argmin(distances))]


def _red_width(frame: np.ndarray) -> int:
    """Columns of the top row that read red (the red quadrant's width in the output)."""
    return sum(_nearest(frame[10, x]) == RED for x in range(W))


def test_framing_keyframes_move_the_crop_as_they_say(tmp_path: Path) -> None:
    def lane(parameter: str, start: float, end: float) -> dict[str, object]:
        keys = [{"time_s": 0.0, "value": start}, {"time_s": 1.0, "value": end}]
        return {"parameter": parameter, "keyframes": keys}

    clip = {
        "id": "c",
        "uri": "",
        "automation": {
            "lanes": [lane("scale", 1.0, 2.0), lane("position_x", 0.5, 0.25), lane("position_y", 0.5, 0.25)]
        },
    }
    timeline = {"tracks": [{"id": "v", "clips": [clip]}], "output": {"fps": 25, "crf": 10}}
    output = _render(tmp_path, timeline)
    with read_frames(output, width=W, height=H) as frames:
        decoded = list(frames)
    assert len(decoded) == 50
    first, middle, last = decoded[0], decoded[12], decoded[40]  # t = 0, 0.48 s, 1.6 s
    # t=0: scale 1, centred: the whole frame, four quadrants.
    assert [_nearest(first[y, x]) for y, x in ((40, 80), (40, 240), (130, 80), (130, 240))] == [
        RED,
        GREEN,
        BLUE,
        WHITE,
    ]
    assert abs(_red_width(first) - W // 2) <= 2
    # t=0.48 s: scale 1.48, centre (0.38, 0.38): the window spans x 0.042..0.718 of the frame,
    # so red (x < 0.5) fills (0.5 - 0.042) / 0.676 of the output's width.
    scale = 1.48
    centre = 0.5 - 0.25 * 0.48
    left = centre - 0.5 / scale
    expected = (0.5 - left) * scale * W
    assert abs(_red_width(middle) - expected) <= 4, (_red_width(middle), expected)
    # t >= 1 s: scale 2 on (0.25, 0.25): the red quadrant fills the frame.
    assert {_nearest(last[y, x]) for y in range(5, H, 20) for x in range(5, W, 20)} == {RED}
    assert _red_width(middle) > _red_width(first)
