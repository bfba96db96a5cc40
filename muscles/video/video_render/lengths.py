"""What a rendered MP4 holds, stream by stream: video frames, and each stream's length.

Read from the packets (``-c copy -f framecrc``: no decoding), after the MP4's edit lists are
applied, so an AAC stream's priming samples before 0 and its padding past the end are not
counted: the lengths a player plays.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import anyio

from core import Phase
from core.ffmpeg import run_ffmpeg

__all__ = ["StreamLengths", "measure_lengths"]


@dataclass(frozen=True)
class StreamLengths:
    video_frames: int
    video_s: float
    audio_s: float | None  # None: no audio stream


async def measure_lengths(path: Path, listing: Path, phase: Phase) -> StreamLengths:
    """Count ``path``'s video packets and measure its streams; ``listing`` is a scratch file."""
    args = ["-f", "mov", "-i", f"file:{path}", "-map", "0:v:0", "-map", "0:a:0?", "-c", "copy"]
    await run_ffmpeg([*args, "-f", "framecrc", "-y", f"file:{listing}"], on_progress=phase)
    text = await anyio.Path(listing).read_text(encoding="utf-8")
    await anyio.Path(listing).unlink()
    return parse_framecrc(text)


def parse_framecrc(text: str) -> StreamLengths:
    """Lengths from a framecrc listing: stream 0 is the video, stream 1 (if any) the audio."""
    bases: dict[int, Fraction] = {}
    ends: dict[int, int] = {}
    starts: dict[int, int] = {}
    frames = 0
    for line in text.splitlines():
        if line.startswith("#tb "):
            number, _, base = line[4:].partition(":")
            bases[int(number)] = Fraction(base.strip())
            continue
        if not line or line.startswith("#"):
            continue
        fields = [field.strip() for field in line.split(",")]
        stream, pts, duration = int(fields[0]), int(fields[2]), int(fields[3])
        ends[stream] = max(ends.get(stream, 0), pts + duration)
        starts[stream] = min(starts.get(stream, max(pts, 0)), max(pts, 0))
        frames += stream == 0
    lengths = {stream: float((ends[stream] - starts[stream]) * bases[stream]) for stream in ends}
    return StreamLengths(video_frames=frames, video_s=lengths.get(0, 0.0), audio_s=lengths.get(1))
