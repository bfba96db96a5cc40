"""video_slowmo: slow motion and frame-rate conversion with interpolated frames."""

from __future__ import annotations

from core import CanvasTool, Muscle, Progress, tool
from core.errors import (
    AssetNotFound,
    FfmpegFailed,
    InvalidIdentifier,
    InvalidInput,
    MediaUnreadable,
    NotMedia,
    NoVideoStream,
)
from core.jobs import JobCancelled
from core.media import MediaInfo, Workspace, validate_filename

from .examples import INTERPOLATE, JOB_EXAMPLES, SLOWMO
from .plan import FactorOutOfRange, Preset, RangeInvalid, Retime, plan
from .run import AudioMode, Retimed, retime_video

_ERRORS = [
    FactorOutOfRange,
    RangeInvalid,
    InvalidInput,
    AssetNotFound,
    NotMedia,
    MediaUnreadable,
    NoVideoStream,
    InvalidIdentifier,
    FfmpegFailed,
    JobCancelled,
]


class VideoSlowmo(Muscle):
    """The Time Warp: slow motion and frame-rate conversion that invents the frames in between,
    as DaVinci Resolve's retime does, instead of repeating frames.

    Use `slowmo` to play a clip, or a time range of it, at 0.5x, 0.25x or down to 0.05x with
    smooth motion and its sound slowed without changing pitch (or muted); use `interpolate` to
    raise a clip's frame rate (30 to 60 or 120 fps) at the same speed. Presets: `flow` (ours:
    dense optical flow both ways with occlusion-aware blending; best and fast), `mci` (ffmpeg's
    motion-compensated minterpolate; slow), `fast` (frame blending; quick, ghosts on motion).
    Both are jobs as well (`submit_slowmo`, `submit_interpolate`): minutes of work on HD.
    """

    version = "1.0.0"
    capabilities = ("cap.video.slowmo", "cap.video.frame_interpolation")
    canvas_tools = (
        CanvasTool(id="slomo_clip", icon="hourglass", type="trigger", tool="slowmo", action="Slo-Mo"),
    )
    job_examples = JOB_EXAMPLES

    async def check_slowmo(
        self,
        uri: str,
        workspace: Workspace,
        progress: Progress,
        factor: float = 0.5,
        preset: Preset = "flow",
        start_s: float | None = None,
        end_s: float | None = None,
        audio: AudioMode = "stretch",
        fps: float | None = None,
        filename: str | None = None,
        clip_id: str = "slowmo",
    ) -> None:
        """Refuse a bad call before any work (or job) starts."""
        await _planned(workspace, uri, filename, factor=factor, fps=fps, start_s=start_s, end_s=end_s)

    @tool(examples=[SLOWMO], errors=_ERRORS, job=True, check=check_slowmo, idempotent=True)
    async def slowmo(
        self,
        uri: str,
        workspace: Workspace,
        progress: Progress,
        factor: float = 0.5,
        preset: Preset = "flow",
        start_s: float | None = None,
        end_s: float | None = None,
        audio: AudioMode = "stretch",
        fps: float | None = None,
        filename: str | None = None,
        clip_id: str = "slowmo",
    ) -> Retimed:
        """Slow the video `uri` (or its range `start_s`..`end_s`, seconds) down to `factor` of its
        speed (0.05..1: 0.5 = half speed) with interpolated frames, at the source's frame rate
        (or `fps`). The sound is slowed with atempo, keeping its pitch (`audio="mute"` drops it).
        Returns the MP4 (only the range, `1/factor` times longer) with its measured figures, and
        `edit`: the same retime as a video_timeline clip with id `clip_id` and speed = factor.
        Also offered as `submit_slowmo`, a job."""
        media = await workspace.open(uri, need="video")
        retime = plan(media.info, factor=factor, fps=fps, start_s=start_s, end_s=end_s)
        name = validate_filename(filename or f"{media.stem}-slowmo.mp4")
        return await retime_video(
            workspace, progress, media, retime, preset=preset, audio=audio, filename=name, clip_id=clip_id
        )

    async def check_interpolate(
        self,
        uri: str,
        fps: float,
        workspace: Workspace,
        progress: Progress,
        preset: Preset = "flow",
        start_s: float | None = None,
        end_s: float | None = None,
        filename: str | None = None,
    ) -> None:
        """Refuse a bad call before any work (or job) starts."""
        await _planned(workspace, uri, filename, factor=1.0, fps=fps, start_s=start_s, end_s=end_s)

    @tool(examples=[INTERPOLATE], errors=_ERRORS, job=True, check=check_interpolate, idempotent=True)
    async def interpolate(
        self,
        uri: str,
        fps: float,
        workspace: Workspace,
        progress: Progress,
        preset: Preset = "flow",
        start_s: float | None = None,
        end_s: float | None = None,
        filename: str | None = None,
    ) -> Retimed:
        """Convert the video `uri` (or its range `start_s`..`end_s`) to `fps` frames per second
        (1..240, e.g. 30 -> 60 or 120) at the same speed, the new frames interpolated by
        `preset`. The sound is kept. Also offered as `submit_interpolate`, a job."""
        media = await workspace.open(uri, need="video")
        retime = plan(media.info, factor=1.0, fps=fps, start_s=start_s, end_s=end_s)
        name = validate_filename(filename or f"{media.stem}-{fps:g}fps.mp4")
        return await retime_video(
            workspace,
            progress,
            media,
            retime,
            preset=preset,
            audio="stretch",
            filename=name,
            clip_id="retimed",
        )


async def _planned(
    workspace: Workspace,
    uri: str,
    filename: str | None,
    *,
    factor: float,
    fps: float | None,
    start_s: float | None,
    end_s: float | None,
) -> Retime:
    if filename is not None:
        validate_filename(filename)
    found = await workspace.describe(uri)
    info: MediaInfo | None = found.info
    if info is not None and not info.is_video:
        raise NoVideoStream("the asset has no moving pictures to retime", value=uri)
    if info is None:  # stored without a probe: the tool body opens (and probes) it; check the rest
        factor_only = MediaInfo("unknown", duration_s=1e9, has_video=True, has_audio=False, fps=1e3)
        return plan(factor_only, factor=factor, fps=fps, start_s=None, end_s=None)
    return plan(info, factor=factor, fps=fps, start_s=start_s, end_s=end_s)
