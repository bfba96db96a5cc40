"""Synced recordings as a video_timeline timeline: the first recording with pictures on the
video track from time 0, every recording's sound on an audio track of its own at its offset
(one that starts earlier is trimmed at its head instead, since the timeline starts at 0)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from muscles.video.timeline import Clip, Timeline, Track

__all__ = ["Placed", "synced_timeline"]

# Microseconds: far below a sample at 48 kHz, and short, stable numbers in the timeline.
_DIGITS = 6


@dataclass(frozen=True)
class Placed:
    uri: str
    offset_s: float  # on the reference's clock
    duration_s: float
    has_video: bool


def synced_timeline(recordings: Sequence[Placed]) -> Timeline | None:
    """The timeline, or None when no recording has pictures (video_render needs a picture)."""
    picture = next((index for index, rec in enumerate(recordings) if rec.has_video), None)
    if picture is None:
        return None
    zero = recordings[picture].offset_s
    video = Track(id="video", kind="video", clips=[Clip(id=f"r{picture}", uri=recordings[picture].uri)])
    sound = []
    for index, rec in enumerate(recordings):
        start = rec.offset_s - zero
        if index == picture or start + rec.duration_s <= 0:
            continue  # its own sound plays with the picture; or it ends before the timeline begins
        clip = Clip(
            id=f"r{index}",
            uri=rec.uri,
            start_s=round(max(0.0, start), _DIGITS),
            source_in_s=round(max(0.0, -start), _DIGITS),
        )
        sound.append(Track(id=f"sound{index}", kind="audio", clips=[clip]))
    return Timeline(tracks=[video, *sound])
