"""Clip timing against what is known about each clip's media (uri -> :class:`MediaInfo`)."""

from __future__ import annotations

from collections.abc import Mapping

from core.media import MediaInfo
from muscles.video.timeline.model import Clip

__all__ = ["clip_duration", "clip_end", "source_out"]


def source_out(clip: Clip, facts: Mapping[str, MediaInfo]) -> float | None:
    """The clip's source out point: its own, else the end of its media when known. A still
    or colour clip (``duration_s``) plays its picture for that long."""
    if clip.duration_s is not None:
        return clip.source_in_s + clip.duration_s * clip.speed
    if clip.source_out_s is not None:
        return clip.source_out_s
    found = facts.get(clip.uri)
    return found.duration_s if found is not None else None


def clip_duration(clip: Clip, facts: Mapping[str, MediaInfo]) -> float | None:
    """Seconds the clip lasts on the timeline, or None while its out point is unknown."""
    out = source_out(clip, facts)
    if out is None or clip.speed <= 0:
        return None
    return (out - clip.source_in_s) / clip.speed


def clip_end(clip: Clip, facts: Mapping[str, MediaInfo]) -> float | None:
    duration = clip_duration(clip, facts)
    return None if duration is None else clip.start_s + duration
