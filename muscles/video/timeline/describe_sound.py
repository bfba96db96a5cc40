"""What describe says about the sound of a timeline: each audio track with its role, its span,
and the voice tracks it is ducked under; and the loudness target of the mix."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, Field

from core.media import MediaInfo
from muscles.video.timeline.facts import clip_end
from muscles.video.timeline.model import Timeline
from muscles.video.timeline.sound import AudioRole

__all__ = ["AudioTrackSummary", "audio_tracks"]


class AudioTrackSummary(BaseModel):
    """One audio track as the mix will hear it."""

    track_id: str
    role: AudioRole | None
    clip_count: int
    start_s: float = Field(description="Where its first clip starts (0 when empty)")
    end_s: float = Field(description="Where its last clip ends (0 when empty)")
    muted: bool
    ducked_under: list[str] = Field(description="Tracks whose clips lower it, with the depth: 'voice -12 dB'")


def audio_tracks(timeline: Timeline, facts: Mapping[str, MediaInfo]) -> list[AudioTrackSummary]:
    summaries = []
    for track in timeline.tracks:
        if track.kind != "audio":
            continue
        ends = [clip_end(clip, facts) or clip.start_s for clip in track.clips]
        summaries.append(
            AudioTrackSummary(
                track_id=track.id,
                role=track.role,
                clip_count=len(track.clips),
                start_s=round(min((clip.start_s for clip in track.clips), default=0.0), 6),
                end_s=round(max(ends, default=0.0), 6),
                muted=track.muted,
                ducked_under=[
                    f"{duck.voice_track} -{duck.depth_db:g} dB"
                    for duck in timeline.audio.ducking
                    if duck.music_track == track.id
                ],
            )
        )
    return summaries
