"""air_canvas: "Magic Draw": strokes drawn in the air with a coloured marker, from a video."""

from __future__ import annotations

import anyio

from core import CanvasTool, Muscle, Progress, tool
from core.errors import (
    AssetNotFound,
    FfmpegFailed,
    InvalidIdentifier,
    MediaUnreadable,
    NotMedia,
    NoVideoStream,
)
from core.jobs import JobCancelled
from core.media import Workspace
from muscles.video.frames import NoFrames

from .draw import trace
from .errors import EmptyColourRange, PenOutOfRange
from .examples import JOB_EXAMPLES, TRACE
from .models import Drawing, Marker, Pen
from .tracking import check_marker


class AirCanvas(Muscle):
    """Turns a coloured marker waved in front of a camera into drawn strokes ("Magic Draw").

    Use it on a video of someone drawing in the air with a coloured object (by default an
    orange one): it tracks the marker frame by frame, smooths the pen's path, lifts the pen on
    fast moves (travel) and lowers it on slow ones (drawing), and stores the strokes as vector
    JSON (time-stamped points in pixels and 0..1) plus the video with the strokes drawn on it.
    Frames where the marker is not seen break the stroke; the same video and settings always
    give the same strokes.
    """

    version = "1.0.0"
    capabilities = ("cap.video.air_canvas.trace",)
    canvas_tools = (
        CanvasTool(
            id="magic_draw", icon="magic_wand", type="toggle", tool="trace", action="enable_air_canvas"
        ),
    )
    job_examples = JOB_EXAMPLES

    async def check_trace(
        self,
        uri: str,
        workspace: Workspace,
        progress: Progress,
        marker: Marker | None = None,
        pen: Pen | None = None,
        thickness: int = 3,
    ) -> None:
        """Refuse a call that cannot work before any (job) work starts."""
        check_marker(marker or Marker())
        settings = pen or Pen()
        if not 0 < settings.gain <= 1:
            raise PenOutOfRange(
                f"pen.gain is {settings.gain}; it must be within 0 < gain <= 1", value="pen.gain"
            )
        if not settings.lift_speed_px_s > 0:
            raise PenOutOfRange(
                f"pen.lift_speed_px_s is {settings.lift_speed_px_s}; it must be above 0",
                value="pen.lift_speed_px_s",
            )
        if not 1 <= thickness <= 32:
            raise PenOutOfRange(f"thickness is {thickness}; it must be within 1..32", value="thickness")
        await workspace.describe(uri)

    @tool(
        examples=[TRACE],
        errors=[
            AssetNotFound,
            InvalidIdentifier,
            NotMedia,
            MediaUnreadable,
            NoVideoStream,
            NoFrames,
            EmptyColourRange,
            PenOutOfRange,
            FfmpegFailed,
            JobCancelled,
        ],
        job=True,
        check=check_trace,
        idempotent=True,
    )
    async def trace(
        self,
        uri: str,
        workspace: Workspace,
        progress: Progress,
        marker: Marker | None = None,
        pen: Pen | None = None,
        thickness: int = 3,
    ) -> Drawing:
        """Track the marker through the video `uri` and store the strokes it drew.

        `marker` is the marker's HSV colour range (OpenCV scales: hue 0..179, saturation and
        value 0..255; default orange). `pen.gain` (0..1, default 0.5) smooths the pen: lower is
        smoother and lags more; `pen.lift_speed_px_s` (default 400) is the marker speed above
        which the pen is up. `thickness` is the overlay's line width in pixels. Returns the
        strokes JSON document and the overlay MP4 (sound kept) as MediaRefs. Also offered as
        `submit_trace`, a job, for long videos."""
        await self.check_trace(uri, workspace, progress, marker, pen, thickness)
        media = await workspace.open(uri, need="video")
        out = workspace.path("overlay.mp4")
        traced = await anyio.to_thread.run_sync(
            lambda: trace(media, out, marker or Marker(), pen or Pen(), thickness, progress)
        )
        await progress.report(0.92, "registering the strokes and the overlay")
        strokes = await workspace.publish_document(
            traced.drawing.model_dump_json(indent=1), f"{media.stem}-strokes.json", "application/json"
        )
        overlay = await workspace.publish_media(out, f"{media.stem}-drawn.mp4")
        await progress.report(1.0, "done")
        return Drawing(
            strokes=strokes,
            overlay=overlay.ref,
            stroke_count=len(traced.drawing.strokes),
            point_count=sum(len(stroke.points) for stroke in traced.drawing.strokes),
            frames=(overlay.info.frame_count if overlay.info else None) or traced.frames,
            frames_with_marker=traced.frames_with_marker,
        )
