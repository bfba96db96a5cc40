"""How long a timeline runs and how many frames it renders to."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from pydantic import BaseModel, Field

from core.media import MediaInfo
from muscles.video.timeline.describe_sound import AudioTrackSummary, audio_tracks
from muscles.video.timeline.editing import ASPECTS
from muscles.video.timeline.errors import TimelineInvalid
from muscles.video.timeline.facts import clip_end
from muscles.video.timeline.model import Timeline

__all__ = [
    "DEFAULT_FPS",
    "ClipSpan",
    "TimelineDescription",
    "TrackSummary",
    "describe",
    "even",
    "fps_fraction",
    "frame_count",
    "output_fps",
    "output_size",
    "timeline_duration",
]

DEFAULT_FPS = 25.0
DEFAULT_SIZE = (1280, 720)


class ClipSpan(BaseModel):
    clip_id: str
    track_id: str
    start_s: float
    end_s: float


class TrackSummary(BaseModel):
    track_id: str
    kind: str = Field(description="video or audio")
    role: str = Field(
        description="base (the first video track), layer (composited over it, in order) or audio"
    )
    layer: int | None = Field(
        description="1 for the first layer over the base, 2 above it, ...; None otherwise"
    )
    clip_count: int
    end_s: float = Field(description="End of the track's last clip, seconds")
    muted: bool
    hidden: bool


class TimelineDescription(BaseModel):
    duration_s: float = Field(description="End of the last clip, seconds")
    fps: float = Field(description="Output frame rate (set, else the first video clip's)")
    frame_count: int = Field(description="Frames the render holds: round(duration_s * fps)")
    track_count: int
    clip_count: int
    transition_count: int
    overlay_count: int
    layer_count: int = Field(description="Video tracks composited over the base")
    output_width: int = Field(description="Frame width: set, from the aspect, or the first clip's")
    output_height: int
    tracks: list[TrackSummary]
    clips: list[ClipSpan]
    audio_tracks: list[AudioTrackSummary] = Field(default_factory=list, description="The mix's audio tracks")
    caption_track_count: int = 0
    loudness_target_lufs: float | None = Field(default=None, description="The mix's target, when set")


def fps_fraction(fps: float) -> Fraction:
    """``fps`` as an exact rate (29.97 -> 30000/1001) for ffmpeg and frame arithmetic."""
    return Fraction(fps).limit_denominator(1001)


def output_fps(timeline: Timeline, facts: Mapping[str, MediaInfo]) -> float:
    if timeline.output.fps is not None:
        return timeline.output.fps
    track = timeline.video_track()
    if track is not None and track.clips:
        first = min(track.clips, key=lambda clip: clip.start_s)
        found = facts.get(first.uri)
        if found is not None and found.fps:
            return found.fps
    return DEFAULT_FPS


def timeline_duration(timeline: Timeline, facts: Mapping[str, MediaInfo]) -> float:
    """End of the last clip; raises when a clip's end is unknown (no out point, no media facts)."""
    ends = []
    for clip in timeline.clips():
        end = clip_end(clip, facts)
        if end is None:
            raise TimelineInvalid(
                "source_out_s is unset and the media's duration is unknown",
                item_id=clip.id,
                field="source_out_s",
                hint="Set source_out_s, or describe the timeline with its media registered in media_v2.",
            )
        ends.append(end)
    return max(ends, default=0.0)


def frame_count(duration_s: float, fps: float | Fraction) -> int:
    """Frames in ``duration_s`` at ``fps``, from exact fractions (2.1 s is 21/10 s, not the float)."""
    rate = fps if isinstance(fps, Fraction) else fps_fraction(fps)
    return round(Fraction(duration_s).limit_denominator(1_000_000) * rate)


def describe(timeline: Timeline, facts: Mapping[str, MediaInfo] | None = None) -> TimelineDescription:
    known = facts or {}
    duration = timeline_duration(timeline, known)
    fps = output_fps(timeline, known)
    spans = [
        ClipSpan(
            clip_id=clip.id,
            track_id=track.id,
            start_s=clip.start_s,
            end_s=round(clip_end(clip, known) or 0, 6),
        )
        for track in timeline.tracks
        for clip in track.clips
    ]
    tracks = _track_summaries(timeline, known)
    width, height = output_size(timeline, known)
    return TimelineDescription(
        duration_s=round(duration, 6),
        fps=fps,
        frame_count=frame_count(duration, fps),
        track_count=len(timeline.tracks),
        clip_count=len(spans),
        transition_count=len(timeline.transitions),
        overlay_count=len(timeline.overlays),
        layer_count=sum(track.role == "layer" for track in tracks),
        output_width=width,
        output_height=height,
        tracks=tracks,
        clips=spans,
        audio_tracks=audio_tracks(timeline, known),
        caption_track_count=len(timeline.captions),
        loudness_target_lufs=None
        if timeline.audio.loudness is None
        else timeline.audio.loudness.integrated_lufs,
    )


def _track_summaries(timeline: Timeline, facts: Mapping[str, MediaInfo]) -> list[TrackSummary]:
    summaries = []
    layer = 0
    base = timeline.video_track()
    for track in timeline.tracks:
        role = "audio" if track.kind == "audio" else "base" if track is base else "layer"
        layer += role == "layer"
        ends = [clip_end(clip, facts) or 0.0 for clip in track.clips]
        summaries.append(
            TrackSummary(
                track_id=track.id,
                kind=track.kind,
                role=role,
                layer=layer if role == "layer" else None,
                clip_count=len(track.clips),
                end_s=round(max(ends, default=0.0), 6),
                muted=track.muted,
                hidden=track.hidden,
            )
        )
    return summaries


def output_size(timeline: Timeline, facts: Mapping[str, MediaInfo]) -> tuple[int, int]:
    """The frame size a render makes (before proxy scaling): the one set, else the first base
    clip's (1280x720 when unknown), shaped by the aspect from its height (or from the width
    when only that was set)."""
    out = timeline.output
    track = timeline.video_track()
    first = min(track.clips, key=lambda clip: clip.start_s) if track is not None and track.clips else None
    found = facts.get(first.uri) if first is not None else None
    width = out.width or (found.width if found is not None else None) or DEFAULT_SIZE[0]
    height = out.height or (found.height if found is not None else None) or DEFAULT_SIZE[1]
    if out.aspect in ASPECTS:
        across, down = ASPECTS[out.aspect]
        if out.width is not None and out.height is None:
            return even(width), even(width * down / across)
        return even(height * across / down), even(height)
    return width, height


def even(value: float) -> int:
    """The nearest even size of at least 2 (yuv420p needs even sizes)."""
    return max(2, 2 * round(value / 2))
