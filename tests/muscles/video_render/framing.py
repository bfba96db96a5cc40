"""A still frame of four coloured quadrants, a render of a timeline over it, and readers of
the rendered frames: what the framing (crop-and-zoom) tests look at."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

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


def quadrants(path: Path) -> Path:
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


def render_frames(tmp_path: Path, timeline: dict[str, Any]) -> list[np.ndarray]:
    """Render ``timeline`` (its first clip's uri set to the quadrants) and decode every frame."""
    settings = Settings(data_dir=tmp_path / "data", tenant_id="t1", signing_key="k")  # type: ignore[arg-type]
    store, scope = MediaStore.from_settings(settings), Scope(tenant_id="t1")
    source = quadrants(tmp_path / "quadrants.mp4")
    clip = store.register_staged(scope, store.stage_local(source), "quadrants.mp4")
    timeline["tracks"][0]["clips"][0]["uri"] = clip.uri

    async def run() -> RenderedVideo:
        with BlockingWorkspace(
            store, scope, settings.data_dir / "work", check_cancelled=anyio.from_thread.check_cancelled
        ) as blocking:
            return await render_timeline(
                Workspace(blocking), RecordingProgress(), Timeline.model_validate(timeline), "zoom.mp4"
            )

    rendered = anyio.run(run)
    assert rendered.frame_count == 50 and not rendered.stream_copy
    output = store.materialize(scope, rendered.media.uri, tmp_path / "zoom.mp4")
    with read_frames(output, width=W, height=H) as frames:
        return list(frames)


def nearest(pixel: np.ndarray) -> tuple[int, int, int]:
    colours = (RED, GREEN, BLUE, WHITE)
    distances = [float(np.abs(pixel.astype(int) - np.array(c)).sum()) for c in colours]
    return colours[int(np.argmin(distances))]


def red_width(frame: np.ndarray) -> int:
    """Columns of the top row that read red (the red quadrant's width in the output)."""
    return sum(nearest(frame[10, x]) == RED for x in range(W))
