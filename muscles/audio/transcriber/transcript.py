"""What a transcription returns, and its subtitle renderings (SRT, WebVTT)."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from core.media import MediaRef

__all__ = ["Segment", "Transcript", "Word", "render_srt", "render_vtt"]


class Word(BaseModel):
    """One word with its time span in the audio (seconds) and the model's confidence."""

    word: str
    start: float
    end: float
    probability: float = Field(ge=0.0, le=1.0)


class Segment(BaseModel):
    """A stretch of speech, usually a sentence; ``words`` is empty without word timestamps."""

    id: int
    start: float
    end: float
    text: str
    avg_logprob: float
    no_speech_prob: float
    words: list[Word] = Field(default_factory=list)


class Transcript(BaseModel):
    """The transcription of one asset, with subtitles stored in media_v2."""

    text: str = Field(description="The whole transcript, segments joined by spaces")
    language: str
    duration_s: float = Field(description="Length of the audio that was transcribed")
    model: str = Field(description="The Whisper model that ran (ATOMS_WHISPER_MODEL)")
    segments: list[Segment]
    srt: MediaRef = Field(description="SubRip subtitles (application/x-subrip)")
    vtt: MediaRef = Field(description="WebVTT subtitles (text/vtt)")


def _timestamp(seconds: float, separator: str) -> str:
    millis = max(0, round(seconds * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def render_srt(segments: Sequence[Segment]) -> str:
    """SubRip: numbered cues, ``HH:MM:SS,mmm`` times, a blank line after each cue."""
    cues = [
        f"{number}\n{_timestamp(seg.start, ',')} --> {_timestamp(seg.end, ',')}\n{seg.text}\n"
        for number, seg in enumerate(segments, start=1)
    ]
    return "\n".join(cues)


def render_vtt(segments: Sequence[Segment]) -> str:
    """WebVTT: the ``WEBVTT`` header, then cues with ``HH:MM:SS.mmm`` times."""
    cues = [f"{_timestamp(seg.start, '.')} --> {_timestamp(seg.end, '.')}\n{seg.text}\n" for seg in segments]
    return "\n".join(["WEBVTT\n", *cues])
