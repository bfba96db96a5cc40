"""Plan-level renders for the editing tests: media made with ffmpeg lavfi, the timeline checked
and planned as video_render does, the plan's one ffmpeg command run, frames read back."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from core.ffmpeg.frames import read_frames
from core.ffmpeg.runner import ffmpeg_binary
from core.media import MediaInfo
from core.media.probe import probe_sync
from muscles.video.timeline import Timeline, TimelineDescription, check, color_facts, color_of, describe
from muscles.video.video_render.graph import RenderPlan
from muscles.video.video_render.plan import plan_render

__all__ = ["Rendered", "color_clip", "render", "still_image", "uri_of"]

Frames = npt.NDArray[np.uint8]


def _ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def color_clip(path: Path, color: str, *, seconds: float = 1.0, size: str = "64x36", fps: int = 10) -> Path:
    """A solid-colour H.264 clip with a tone (lossless, so its pixels are exact)."""
    _ffmpeg(
        *("-f", "lavfi", "-i", f"color=c={color}:s={size}:r={fps}:d={seconds}"),
        *("-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"),
        *("-c:v", "libx264", "-crf", "0", "-pix_fmt", "yuv444p", "-c:a", "aac", "-shortest", str(path)),
    )
    return path


def pattern_clip(
    path: Path, expressions: str, *, seconds: float = 1.0, size: str = "64x36", fps: int = 10
) -> Path:
    """A still RGB pattern (``geq`` expressions of X and Y) as a lossless H.264 clip with a tone."""
    _ffmpeg(
        *("-f", "lavfi", "-i", f"color=black:s={size}:r={fps}:d={seconds},format=gbrp,geq={expressions}"),
        *("-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"),
        *("-c:v", "libx264", "-crf", "0", "-pix_fmt", "yuv444p", "-c:a", "aac", "-shortest", str(path)),
    )
    return path


def still_image(path: Path, source: str) -> Path:
    """One PNG frame of the lavfi ``source``."""
    _ffmpeg("-f", "lavfi", "-i", source, "-frames:v", "1", str(path))
    return path


def uri_of(path: Path) -> str:
    """A media_v2-shaped uri for a local test file."""
    return f"atoms://media/{hashlib.sha256(str(path).encode()).hexdigest()[:32]}/{path.name}"


class Rendered:
    def __init__(self, path: Path, plan: RenderPlan, expected: TimelineDescription) -> None:
        self.path, self.plan, self.expected = path, plan, expected

    def frames(self) -> Frames:
        with read_frames(self.path, width=self.plan.width, height=self.plan.height) as reader:
            return np.stack(list(reader)).astype(np.int16)


def render(
    timeline: dict[str, Any],
    files: dict[str, Path],
    folder: Path,
    *,
    name: str = "out.mp4",
    assets: dict[str, Path] | None = None,
) -> Rendered:
    """Check, describe, plan and run ``timeline`` (``files``: uri -> local file)."""
    model = Timeline.model_validate(timeline)
    facts: dict[str, MediaInfo] = {}
    sources: dict[str, Path] = {}
    for clip in model.clips():
        if color_of(clip.uri) is not None:
            facts[clip.uri] = color_facts()
            continue
        facts[clip.uri] = facts.get(clip.uri) or probe_sync(files[clip.uri])
        sources[clip.id] = files[clip.uri]
    check(model, facts)
    expected = describe(model, facts)
    output = folder / name
    work = folder / f"work-{name}"
    work.mkdir(exist_ok=True)
    plan = plan_render(model, sources, facts, output, work_dir=work, assets=assets, allow_copy=False)
    for path, text in plan.text_files.items():
        path.write_text(text, encoding="utf-8")
    _ffmpeg(*plan.args)
    return Rendered(output, plan, expected)
