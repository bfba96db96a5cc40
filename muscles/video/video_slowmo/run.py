"""One retime, start to finish: the source opened through the Workspace, the preset's work
(one ffmpeg run, or our flow loop on a worker thread), and the published MP4 described by a
probe of the stored file. The same body runs inline or as a job; a cancelled retime stops
its processes and stores nothing."""

from __future__ import annotations

from typing import Literal

import anyio
import anyio.from_thread
from pydantic import BaseModel, Field

from core import MediaRef, Progress
from core.ffmpeg import run_ffmpeg
from core.media import OpenedMedia, Workspace
from muscles.video.timeline import Clip

from .interpolate import flow_retime
from .plan import Preset, Retime, atempo_chain
from .presets import audio_filter, ffmpeg_args

__all__ = ["AudioMode", "Retimed", "retime_video"]

AudioMode = Literal["stretch", "mute"]
_FINISH_SHARE = 0.05


class Retimed(BaseModel):
    """The retimed MP4 and its figures, measured on the stored file."""

    media: MediaRef = Field(description="The MP4 in media_v2")
    preset: Preset
    fps: float = Field(description="Frame rate of the stored file")
    frame_count: int = Field(description="Video frames in the stored file")
    duration_s: float = Field(description="Duration of the stored file")
    audio: Literal["stretched", "muted", "none"] = Field(
        description="stretched: slowed with atempo, pitch kept; muted: on request; none: the source has none"
    )
    edit: Clip = Field(
        description="The same retime as a video_timeline clip: the source range at speed = factor "
        "(video_render repeats frames for it); put it in place of the clip, or use `media` as a new clip"
    )


async def retime_video(
    workspace: Workspace,
    progress: Progress,
    media: OpenedMedia,
    retime: Retime,
    *,
    preset: Preset,
    audio: AudioMode,
    filename: str,
    clip_id: str,
) -> Retimed:
    sound = audio == "stretch" and media.info.has_audio
    chain = audio_filter(retime, atempo_chain(retime.factor)) if sound else None
    output = workspace.path("retimed.mp4")
    span = 1.0 - _FINISH_SHARE
    if preset == "flow":
        await _flow(workspace, progress, media, retime, chain, span)
    else:

        async def encoding(fraction: float, message: str) -> None:
            await progress.report(span * fraction, f"{preset}: {message}")

        args = ffmpeg_args(retime, preset, media.input_args, output, audio=chain)
        await run_ffmpeg(args, duration_s=retime.duration_s, on_progress=encoding)
    await progress.report(span, "registering the MP4")
    stored = await workspace.publish_media(output, filename)
    info = stored.info
    assert info is not None and info.fps is not None and info.frame_count is not None
    await progress.report(1.0, "done")
    return Retimed(
        media=stored.ref,
        preset=preset,
        fps=info.fps,
        frame_count=info.frame_count,
        duration_s=info.duration_s or 0.0,
        audio="stretched" if sound else "muted" if media.info.has_audio else "none",
        edit=Clip(
            id=clip_id,
            uri=media.ref.uri,
            source_in_s=round(retime.start_s, 6),
            source_out_s=round(retime.end_s, 6),
            speed=retime.factor,
        ),
    )


async def _flow(
    workspace: Workspace,
    progress: Progress,
    media: OpenedMedia,
    retime: Retime,
    chain: str | None,
    span: float,
) -> None:
    width, height = media.info.width or 0, media.info.height or 0
    total = retime.frame_count
    step = max(1, total // 50)

    def cancelled() -> bool:
        try:
            anyio.from_thread.check_cancelled()
        except anyio.get_cancelled_exc_class():
            return True
        return False

    def on_frame(done: int) -> None:
        if done % step == 0 or done == total:
            anyio.from_thread.run(progress.report, span * done / total, f"flow: frame {done} of {total}")

    await anyio.to_thread.run_sync(
        lambda: flow_retime(
            media.path,
            media.input_args[:-2],  # the pinned demuxer options, without "-i file:..."
            retime,
            workspace.path("retimed.mp4"),
            size=(width - width % 2, height - height % 2),  # yuv420p needs even sizes
            audio=chain,
            should_cancel=cancelled,
            on_frame=on_frame,
        )
    )
