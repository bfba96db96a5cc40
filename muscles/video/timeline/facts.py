"""What validation and rendering need to know about each clip's media, and clip timing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from core.media.probe import MediaInfo
from core.media.ref import MediaRef
from muscles.video.timeline.model import Clip

__all__ = ["MediaFacts", "clip_duration", "clip_end", "facts_from_info", "facts_from_ref"]


@dataclass(frozen=True)
class MediaFacts:
    """One asset as the timeline sees it (from media_v2's metadata or a fresh probe)."""

    duration_s: float | None
    has_video: bool
    has_audio: bool
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    frame_count: int | None = None
    video_codec: str | None = None
    audio_codec: str | None = None
    # The demuxer registration's probe named: ffmpeg reads the file with it and nothing else.
    format_name: str | None = None

    @property
    def is_media(self) -> bool:
        return self.has_video or self.has_audio


def facts_from_ref(ref: MediaRef) -> MediaFacts:
    """Facts from a stored MediaRef; an asset stored without media metadata is no media."""
    return MediaFacts(
        duration_s=ref.duration_s,
        has_video=ref.width is not None and ref.duration_s is not None,
        has_audio=ref.sample_rate is not None,
        width=ref.width,
        height=ref.height,
        fps=ref.fps,
    )


def facts_from_info(info: MediaInfo) -> MediaFacts:
    return MediaFacts(
        duration_s=info.duration_s,
        has_video=info.has_video and info.duration_s is not None,
        has_audio=info.has_audio,
        width=info.width,
        height=info.height,
        fps=info.fps,
        frame_count=info.frame_count,
        video_codec=info.video_codec,
        audio_codec=info.audio_codec,
        format_name=info.format_name,
    )


def source_out(clip: Clip, facts: Mapping[str, MediaFacts]) -> float | None:
    """The clip's source out point: its own, else the end of its media when known."""
    if clip.source_out_s is not None:
        return clip.source_out_s
    found = facts.get(clip.uri)
    return found.duration_s if found is not None else None


def clip_duration(clip: Clip, facts: Mapping[str, MediaFacts]) -> float | None:
    """Seconds the clip lasts on the timeline, or None while its out point is unknown."""
    out = source_out(clip, facts)
    if out is None or clip.speed <= 0:
        return None
    return (out - clip.source_in_s) / clip.speed


def clip_end(clip: Clip, facts: Mapping[str, MediaFacts]) -> float | None:
    duration = clip_duration(clip, facts)
    return None if duration is None else clip.start_s + duration
