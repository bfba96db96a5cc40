"""What both probe paths parse a file into before :mod:`core.probe` makes it a MediaInfo.

ffprobe's JSON (:mod:`core._probe_ffprobe`) and ffmpeg's banner (:mod:`core._probe_banner`)
fill the same :class:`Parsed`, with numbers normalised here to what both can see.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Parsed", "Stream", "normalise_fps", "positive_int"]


@dataclass(frozen=True)
class Stream:
    kind: str
    codec: str | None
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    sample_rate: int | None = None
    channels: int | None = None
    attached_pic: bool = False
    declared_frames: int | None = None


@dataclass(frozen=True)
class Parsed:
    format_name: str
    duration_centis: int | None
    streams: list[Stream]


def normalise_fps(rate: float) -> float | None:
    """Two decimals, as ffmpeg's banner prints them; NTSC rates (n*1000/1001) stay exact."""
    if rate <= 0:
        return None
    rounded = round(rate, 2)
    ntsc = round(rounded * 1.001) * 1000 / 1001
    return ntsc if rounded != int(rounded) and abs(ntsc - rounded) < 0.005 else rounded


def positive_int(raw: object) -> int | None:
    """``raw`` as an int when it is a positive one, else None (ffprobe writes "N/A", 0, ...)."""
    try:
        value = int(str(raw))
    except ValueError:
        return None
    return value if value > 0 else None
