"""video_review: the director's eye. Pictures of a video (a frame, a contact sheet) and its cuts."""

from __future__ import annotations

from pathlib import Path
from typing import Final

import anyio
import anyio.from_thread
from pydantic import BaseModel, Field

from core import CanvasTool, MediaRef, Muscle, Progress, tool
from core.errors import (
    AssetNotFound,
    FfmpegFailed,
    InvalidIdentifier,
    InvalidInput,
    MediaUnreadable,
    NotMedia,
    NoVideoStream,
)
from core.ffmpeg import run_ffmpeg
from core.jobs import JobCancelled
from core.media import OpenedMedia, Workspace
from muscles.video.fonts import default_font
from muscles.video.timeline import TimeOutOfRange

from .analysis import detect
from .errors import GridInvalid
from .examples import CONTACT_SHEET, DETECT_SCENES, JOB_EXAMPLES, THUMBNAIL
from .stills import ImageFormat, SheetLayout, sheet_args, thumbnail_args
from .timing import frame_at, frame_time

_MAX_GRID: Final = 10
_TILE_WIDTHS: Final = (32, 1920)
_THUMB_WIDTHS: Final = (16, 3840)
_READ_ERRORS: Final = (
    AssetNotFound,
    InvalidIdentifier,
    NotMedia,
    MediaUnreadable,
    NoVideoStream,
    FfmpegFailed,
)
_SUFFIX: Final = {"png": "png", "jpeg": "jpg"}
# The picture is written without an image suffix: ffmpeg's probe would take a .jpg for an image
# sequence (image2, which registration refuses) rather than the one JPEG it is (jpeg_pipe).
_WORK_IMAGE: Final = "picture.image"


class Thumbnail(BaseModel):
    """One frame of a video as an image."""

    image: MediaRef = Field(description="The PNG or JPEG in media_v2; width and height measured on it")
    frame: int = Field(description="The frame shown: the one on screen at the asked time")
    time_s: float = Field(description="When that frame starts, in seconds")


class ContactSheet(BaseModel):
    """A grid of frames with their timecodes burnt in."""

    image: MediaRef = Field(description="The sheet in media_v2; width and height measured on it")
    rows: int
    cols: int
    tile_width: int
    tile_height: int
    frames: list[int] = Field(description="The frame in each tile, row by row")
    times_s: list[float] = Field(description="When each tile's frame starts (the burnt-in timecode)")


class Cut(BaseModel):
    time_s: float = Field(description="Start of the first frame of the new shot")
    frame: int
    score: float = Field(description="0-1: how different the frame is from the one before it")


class Scenes(BaseModel):
    """The hard cuts of a video, and the scenes between them."""

    cuts: list[Cut]
    scene_count: int
    frame_count: int = Field(description="Frames analysed")
    fps: float
    document: MediaRef = Field(description="The same as JSON in media_v2 (cuts and scene spans)")


class VideoReview(Muscle):
    """The director's eye: pictures of a video and where its shots change, for agents that check
    what they edit.

    Use it to look at a video without playing it: `thumbnail` stores the frame shown at a time,
    `contact_sheet` a grid of frames (evenly spaced or at given times) with timecodes burnt in,
    and `detect_scenes` finds the hard cuts (times, frames, scores) with a colour-aware score
    that also catches cuts between shots of equal brightness. Every picture and report is a
    MediaRef in media_v2 (never bytes). For frames of a timeline before it is rendered, use
    video_render's `preview_frames`.
    """

    version = "1.0.0"
    capabilities = ("cap.video.thumbnail", "cap.video.contact_sheet", "cap.video.scene_detect")
    job_examples = JOB_EXAMPLES
    canvas_tools = (
        CanvasTool(
            id="contact_sheet", icon="grid", type="panel_pop", tool="contact_sheet", action="Contact sheet"
        ),
    )

    @tool(examples=[THUMBNAIL], errors=[*_READ_ERRORS, TimeOutOfRange, InvalidInput], idempotent=True)
    async def thumbnail(
        self,
        uri: str,
        workspace: Workspace,
        time_s: float = 0.0,
        width: int | None = None,
        image_format: ImageFormat = "png",
    ) -> Thumbnail:
        """Store the frame of a video shown at `time_s` (seconds, from 0 up to its duration) as
        an image.

        `width` scales it (16-3840 pixels; the height keeps the aspect ratio, rounded to even;
        default: the video's own size). `image_format` is `png` (lossless) or `jpeg`."""
        if width is not None and not _THUMB_WIDTHS[0] <= width <= _THUMB_WIDTHS[1]:
            raise InvalidInput(f"width must be {_THUMB_WIDTHS[0]}-{_THUMB_WIDTHS[1]} pixels", value=width)
        media = await workspace.open(uri, need="video")
        fps, duration = _timing(media)
        frame = frame_at(time_s, fps, duration, field="time_s")
        out = workspace.path(_WORK_IMAGE)
        await run_ffmpeg(thumbnail_args(media, frame, fps, width, image_format, out))
        _made(out, time_s)
        image = await workspace.publish(out, f"{media.stem}-frame{frame}.{_SUFFIX[image_format]}")
        return Thumbnail(image=image, frame=frame, time_s=frame_time(frame, fps))

    @tool(examples=[CONTACT_SHEET], errors=[*_READ_ERRORS, TimeOutOfRange, GridInvalid], idempotent=True)
    async def contact_sheet(
        self,
        uri: str,
        workspace: Workspace,
        rows: int = 3,
        cols: int = 3,
        times_s: list[float] | None = None,
        tile_width: int = 320,
        image_format: ImageFormat = "png",
    ) -> ContactSheet:
        """Store a `rows` x `cols` grid of a video's frames, each with its timecode burnt in.

        Frames are evenly spaced (the middle of each of rows x cols equal parts) unless `times_s`
        names them (at most rows x cols; tiles left over stay empty). rows and cols are 1-10;
        `tile_width` is 32-1920 pixels (tile height keeps the aspect ratio). Tiles are separated
        by 4 pixels, so the sheet is cols x tile_width + 4 x (cols + 1) wide."""
        _check_grid(rows, cols, tile_width, times_s)
        media = await workspace.open(uri, need="video")
        fps, duration = _timing(media)
        wanted = (
            times_s
            if times_s is not None
            else [duration * (i + 0.5) / (rows * cols) for i in range(rows * cols)]
        )
        frames = [frame_at(time, fps, duration, field=f"times_s.{i}") for i, time in enumerate(wanted)]
        assert media.info.width and media.info.height
        layout = SheetLayout.of(rows, cols, tile_width, media.info.width, media.info.height)
        out = workspace.path(_WORK_IMAGE)
        font = await anyio.to_thread.run_sync(default_font)
        await run_ffmpeg(sheet_args(media, frames, fps, layout, image_format, out, font))
        _made(out, wanted)
        return ContactSheet(
            image=await workspace.publish(out, f"{media.stem}-sheet-{rows}x{cols}.{_SUFFIX[image_format]}"),
            rows=rows,
            cols=cols,
            tile_width=layout.tile_width,
            tile_height=layout.tile_height,
            frames=frames,
            times_s=[frame_time(frame, fps) for frame in frames],
        )

    async def check_detect_scenes(
        self,
        uri: str,
        workspace: Workspace,
        progress: Progress,
        threshold: float = 0.3,
        min_scene_s: float = 0.5,
    ) -> None:
        """Refuse a call that cannot work before any (job) work starts: bad settings, an asset
        that is not stored or is not a video."""
        _check_scene_settings(threshold, min_scene_s)
        found = await workspace.describe(uri)
        if found.info is not None and not found.info.is_video:
            raise NoVideoStream("the asset has no video stream that plays", value=uri, details={"uri": uri})

    @tool(
        examples=[DETECT_SCENES],
        errors=[*_READ_ERRORS, InvalidInput, JobCancelled],
        idempotent=True,
        job=True,
        check=check_detect_scenes,
    )
    async def detect_scenes(
        self,
        uri: str,
        workspace: Workspace,
        progress: Progress,
        threshold: float = 0.3,
        min_scene_s: float = 0.5,
    ) -> Scenes:
        """Find the hard cuts of a video: the frames that differ from the one before by at least
        `threshold`.

        The score (0-1) is the larger of two histogram distances between neighbouring frames:
        hue x saturation, and luma; so a cut between shots of equal brightness and different
        colour counts (ffmpeg's luma scene score misses those). `threshold` 0.05-1 (default
        0.3; noise and motion inside a shot score below 0.1); cuts closer than `min_scene_s`
        (0-60 s, default 0.5) to the previous one, or to the start, are dropped. Gradual
        transitions (dissolves) are not cuts. Every frame is decoded (small). Also offered as
        `submit_detect_scenes`, a job, for videos longer than a call may last."""
        _check_scene_settings(threshold, min_scene_s)
        media = await workspace.open(uri, need="video")
        fps, duration = _timing(media)
        expected = max(1, round(duration * fps))

        def on_frame(count: int) -> None:
            if count % 25 == 0:
                anyio.from_thread.run(progress.report, min(0.99, count / expected), f"frame {count}")

        report = await anyio.to_thread.run_sync(
            lambda: detect(
                media,
                threshold=threshold,
                min_scene_s=min_scene_s,
                check_cancelled=anyio.from_thread.check_cancelled,
                on_frame=on_frame,
            )
        )
        document = await workspace.publish_document(
            report.document(uri, threshold, min_scene_s), f"{media.stem}-scenes.json", "application/json"
        )
        await progress.report(1.0, "done")
        return Scenes(
            cuts=[
                Cut(time_s=report.time(cut.frame), frame=cut.frame, score=round(cut.score, 4))
                for cut in report.cuts
            ],
            scene_count=len(report.scenes()),
            frame_count=report.frame_count,
            fps=report.fps,
            document=document,
        )


def _timing(media: OpenedMedia) -> tuple[float, float]:
    """The video's frame rate and duration (``need="video"`` guarantees both are known)."""
    fps, duration = media.info.fps, media.info.duration_s
    if not fps or duration is None:
        raise NoVideoStream("the video's frame rate or duration is unknown", value=media.ref.uri)
    return fps, duration


def _check_scene_settings(threshold: float, min_scene_s: float) -> None:
    if not 0.05 <= threshold <= 1:
        raise InvalidInput("threshold must be between 0.05 and 1", value=threshold)
    if not 0 <= min_scene_s <= 60:
        raise InvalidInput("min_scene_s must be between 0 and 60 seconds", value=min_scene_s)


def _check_grid(rows: int, cols: int, tile_width: int, times_s: list[float] | None) -> None:
    for name, value in (("rows", rows), ("cols", cols)):
        if not 1 <= value <= _MAX_GRID:
            raise GridInvalid(f"{name} must be 1-{_MAX_GRID}", value=value, details={"field": name})
    if not _TILE_WIDTHS[0] <= tile_width <= _TILE_WIDTHS[1]:
        raise GridInvalid(
            f"tile_width must be {_TILE_WIDTHS[0]}-{_TILE_WIDTHS[1]} pixels",
            value=tile_width,
            details={"field": "tile_width"},
        )
    if times_s is not None and not 1 <= len(times_s) <= rows * cols:
        raise GridInvalid(
            f"times_s holds {len(times_s)} times for a {rows}x{cols} grid (1 to {rows * cols})",
            value=len(times_s),
            details={"field": "times_s"},
        )


def _made(out: Path, asked: object) -> None:
    """ffmpeg exits cleanly without writing when the seek lands past the last frame (a
    duration the container overstates)."""
    if not out.is_file():
        raise TimeOutOfRange("no frame is decoded at that time (past the last frame)", value=asked)
