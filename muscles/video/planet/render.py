"""Frames of the sphere into an MP4: the shader picked per request (NumPy, or torch on CUDA
when installed and present), one frame at a time into the shared frame writer.

Encoding is deterministic (one x264 thread, bit-exact flags, no metadata), so the same request
on the same render path gives the same bytes. Runs blocking, on a worker thread: cancellation
reaches it through ``should_cancel`` (the frame writer then stops ffmpeg and leaves no file).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import anyio
import anyio.from_thread
import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, Field

from core import MediaRef, Progress
from core.ffmpeg.frames import DETERMINISTIC_H264, FrameWriter
from core.media import Workspace
from muscles.video.planet.camera import View, ray_directions
from muscles.video.planet.errors import PlanetInvalid
from muscles.video.planet.shade_numpy import compose, geometry
from muscles.video.planet.shade_torch import TorchShader, torch_device
from muscles.video.planet.surface import Engine, Material, SurfaceParams, material

__all__ = ["PlanetVideo", "RenderPath", "RenderedPlanet", "choose_path", "render_and_publish", "write_video"]

_PROGRESS_EVERY = 10  # frames between progress reports
_RENDER_SHARE = 0.95  # of the bar; publishing (hash, probe) takes the rest
RenderPath = Literal["numpy", "torch-cpu", "torch-cuda"]


def choose_path(engine: Engine) -> RenderPath:
    """``auto``: torch on CUDA where the gpu extra and a device are present, else NumPy (faster
    than torch on a CPU, see bench/README.md). ``torch`` runs on the CPU without a device."""
    if engine == "numpy":
        return "numpy"
    device = torch_device()
    if engine == "torch":
        if device is None:
            raise PlanetInvalid(
                "engine 'torch' needs PyTorch, which is not installed here",
                value="engine",
                hint="Install the gpu extra (atoms-muscle[gpu]) or use engine 'auto' or 'numpy'.",
            )
        return "torch-cuda" if device == "cuda" else "torch-cpu"
    return "torch-cuda" if device == "cuda" else "numpy"


class _Frames:
    """One render's shader: a view's geometry made once and kept while the view stays the same
    object (a fixed camera), made per frame for a moving one."""

    def __init__(self, m: Material, path: RenderPath, width: int, height: int, fov_deg: float) -> None:
        self.m, self.size, self.fov_deg = m, (width, height), fov_deg
        self.torch = TorchShader(m, path.removeprefix("torch-")) if path != "numpy" else None
        self._cached: tuple[View, Any] | None = None

    def frame(self, view: View, time_s: float) -> NDArray[np.uint8]:
        if self._cached is None or self._cached[0] is not view:
            rays = ray_directions(*self.size, self.fov_deg, view)
            if self.torch is not None:
                made: Any = self.torch.geometry(self.torch.rays(rays), view.position)
            else:
                made = geometry(rays, view.position, self.m)
            self._cached = (view, made)
        if self.torch is not None:
            return self.torch.compose(self._cached[1], time_s)
        return compose(self._cached[1], time_s, self.m)


def write_video(
    out: Path,
    *,
    m: Material,
    path: RenderPath,
    width: int,
    height: int,
    fps: float,
    fov_deg: float,
    frame_count: int,
    view_at: Callable[[int], View],
    on_frame: Callable[[int], None] = lambda index: None,
    should_cancel: Callable[[], bool] | None = None,
) -> int:
    """Render ``frame_count`` frames (frame ``i`` at ``i / fps`` s seen from ``view_at(i)``) into
    ``out``; returns the frames written. A fixed view is the same object for every frame."""
    frames = _Frames(m, path, width, height, fov_deg)
    with FrameWriter(
        out, width=width, height=height, fps=fps, video_args=DETERMINISTIC_H264, should_cancel=should_cancel
    ) as writer:
        for index in range(frame_count):
            writer.write(frames.frame(view_at(index), index / fps))
            on_frame(index + 1)
    return writer.frames_written


class PlanetVideo(BaseModel):
    """A registered MP4 of the planet, measured on the stored file, and what rendered it."""

    media: MediaRef = Field(description="The MP4 in media_v2 (sha256, duration, width, height, fps)")
    frame_count: int = Field(description="Video frames in the stored file")
    fps: float = Field(description="Frame rate of the stored file")
    render_path: RenderPath = Field(description="What rendered the frames: numpy, torch-cpu or torch-cuda")


class RenderedPlanet(PlanetVideo):
    """The surface renderer's MP4 with the parameters it rendered."""

    parameters: SurfaceParams = Field(description="The surface parameters rendered")


async def render_and_publish(
    workspace: Workspace,
    progress: Progress,
    *,
    params: SurfaceParams,
    path: RenderPath,
    frame_count: int,
    view_at: Callable[[int], View],
    filename: str,
) -> PlanetVideo:
    """Render on a worker thread (progress per frame, cancellation per frame), then publish."""
    out = workspace.path("render.mp4")
    m = material(params)

    def cancelled() -> bool:
        try:
            anyio.from_thread.check_cancelled()
        except anyio.get_cancelled_exc_class():
            return True
        return False

    def on_frame(done: int) -> None:
        if done == frame_count or done % _PROGRESS_EVERY == 0:
            anyio.from_thread.run(
                progress.report, _RENDER_SHARE * done / frame_count, f"frame {done}/{frame_count}"
            )

    await progress.report(0.0, f"rendering {frame_count} frames ({path})")
    await anyio.to_thread.run_sync(
        lambda: write_video(
            out,
            m=m,
            path=path,
            width=params.width,
            height=params.height,
            fps=params.fps,
            fov_deg=params.fov_deg,
            frame_count=frame_count,
            view_at=view_at,
            on_frame=on_frame,
            should_cancel=cancelled,
        )
    )
    await progress.report(_RENDER_SHARE, "registering the MP4")
    stored = await workspace.publish_media(out, filename)
    await progress.report(1.0, "done")
    info = stored.info
    return PlanetVideo(
        media=stored.ref,
        frame_count=info.frame_count if info is not None and info.frame_count is not None else 0,
        fps=info.fps if info is not None and info.fps is not None else 0.0,
        render_path=path,
    )
