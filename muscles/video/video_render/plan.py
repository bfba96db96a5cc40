"""A render plan for a timeline: its streams copied when one untouched clip is the whole
timeline, else one ffmpeg command with one filter graph (:mod:`.graph`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

from core.ffmpeg import pinned_input
from core.media import MediaInfo
from muscles.video.timeline import (
    Clip,
    ClipSound,
    Timeline,
    TimelineInvalid,
    fps_fraction,
    output_fps,
    output_size,
    timeline_duration,
)
from muscles.video.video_render.graph import DETERMINISTIC_ARGS, GraphBuilder, OutputFormat, RenderPlan
from muscles.video.video_render.mix import MixPass
from muscles.video.video_render.subtitles import CaptionCues

__all__ = ["RenderPlan", "plan_render"]

PROXY_MAX_HEIGHT: Final = 360
_COPYABLE_VIDEO: Final = {"libx264": "h264", "libx265": "hevc"}


def plan_render(
    timeline: Timeline,
    sources: Mapping[str, Path],
    facts: Mapping[str, MediaInfo],
    output: Path,
    *,
    work_dir: Path,
    pad_short: bool = False,
    allow_copy: bool = True,
    assets: Mapping[str, Path] | None = None,
    mix_pass: MixPass | None = None,
    captions: Sequence[CaptionCues] = (),
) -> RenderPlan:
    """Plan the render of a checked ``timeline``; ``sources`` maps clip id -> local file;
    ``pad_short`` holds the last frame of a clip whose source ends before its out point;
    ``assets`` maps the uri of each LUT the timeline names to its local file; ``captions`` are
    the caption tracks' cues; ``mix_pass`` is a loudness target's pass (unmeasured: the
    analysis plan, which writes nothing)."""
    video = timeline.video_track()
    if video is None or not video.clips:
        raise TimelineInvalid(
            "nothing on the video track", item_id=None, field="tracks", hint="Add a clip to a video track."
        )
    first = min(video.clips, key=lambda clip: clip.start_s)
    fmt = _output_format(timeline, facts)
    duration = timeline_duration(timeline, facts)
    total_frames = fmt.frames(duration)
    if allow_copy and not pad_short and mix_pass is None and _can_copy(timeline, facts, fmt, total_frames):
        return _copy_plan(sources[first.id], facts[first.uri], fmt, output, value=f"{first.id}.uri")
    builder = GraphBuilder(
        timeline,
        sources,
        facts,
        fmt,
        work_dir,
        pad_short=pad_short,
        assets=assets,
        mix_pass=mix_pass,
        captions=captions,
    )
    return builder.plan(video, total_frames, output)


def _output_format(timeline: Timeline, facts: Mapping[str, MediaInfo]) -> OutputFormat:
    out = timeline.output
    width, height = output_size(timeline, facts)
    if out.proxy and height > PROXY_MAX_HEIGHT:
        width, height = round(width * PROXY_MAX_HEIGHT / height), PROXY_MAX_HEIGHT
    # yuv420p needs even sizes.
    return OutputFormat(
        width=max(2, width - width % 2),
        height=max(2, height - height % 2),
        rate=fps_fraction(output_fps(timeline, facts)),
        sample_rate=timeline.audio.sample_rate,
    )


def _can_copy(timeline: Timeline, facts: Mapping[str, MediaInfo], fmt: OutputFormat, frames: int) -> bool:
    """One clip, used whole and unchanged, in codecs the output settings already ask for, whose
    video holds exactly the frames ``describe`` counts for it: a file whose sound outlasts its
    picture (5.31 s of sound, 132 frames of 25 fps video) is re-encoded to the frames it should
    hold, its last frame held, as a copy would keep one frame fewer than described."""
    out = timeline.output
    clips = timeline.clips()
    if not out.allow_stream_copy or out.proxy or len(clips) != 1 or timeline.transitions or timeline.overlays:
        return False
    if out.aspect is not None or out.grade is not None or not _plain(clips[0]):
        return False
    if timeline.captions or timeline.audio.loudness is not None or clips[0].sound != ClipSound():
        return False
    clip, track = clips[0], timeline.tracks[0] if len(timeline.tracks) == 1 else None
    found = facts[clip.uri]
    unchanged_clip = (
        clip.source_in_s == 0
        and (clip.source_out_s is None or clip.source_out_s >= (found.duration_s or 0))
        and clip.start_s == 0
        and clip.speed == 1
        and clip.volume == 1
        and not clip.automation.lanes
    )
    unchanged_track = (
        track is not None
        and track.kind == "video"
        and track.volume == 1
        and not track.muted
        and not track.hidden
    )
    same_format = (
        (found.width, found.height) == (fmt.width, fmt.height)
        and found.fps is not None
        and fps_fraction(found.fps) == fmt.rate
        and found.video_codec == _COPYABLE_VIDEO[out.video_codec]
        and (not found.has_audio or found.audio_codec == out.audio_codec)
        and timeline.audio.master_volume == 1
        and found.frame_count == frames
    )
    return unchanged_clip and unchanged_track and same_format


def _copy_plan(source: Path, found: MediaInfo, fmt: OutputFormat, output: Path, *, value: str) -> RenderPlan:
    args = pinned_input(source, found.format_name, value=value)
    args += ["-map", "0:v:0", "-map", "0:a:0?", "-c", "copy"]
    args += [*DETERMINISTIC_ARGS, "-movflags", "+faststart", "-y", f"file:{output}"]
    duration = found.duration_s or 0.0
    return RenderPlan(
        args=args,
        duration_s=duration,
        frame_count=found.frame_count or fmt.frames(duration),
        width=fmt.width,
        height=fmt.height,
        fps=float(fmt.rate),
        stream_copy=True,
    )


def _plain(clip: Clip) -> bool:
    """No picture feature of :mod:`muscles.video.timeline.editing` on the clip."""
    return (
        clip.duration_s is None
        and clip.fade_in is None
        and clip.fade_out is None
        and clip.layout is None
        and clip.grade is None
    )
