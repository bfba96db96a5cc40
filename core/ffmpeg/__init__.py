"""The one way the suite runs ffmpeg: binary lookup, guarded inputs, progress, cancellation;
raw frames in and out as numpy arrays.

The frame pipe's names load on first use: they import numpy, which a muscle that never
touches pixels (media_v2, the audio muscles, every one-shot ``muscle call``) should not pay
for at start.
"""

from typing import TYPE_CHECKING, Any

from core.ffmpeg.runner import (
    FfmpegResult,
    ffmpeg_binary,
    ffprobe_binary,
    pinned_input,
    run_ffmpeg,
    run_ffmpeg_sync,
)

__all__ = [
    "DETERMINISTIC_H264",
    "H264",
    "FfmpegResult",
    "Frame",
    "FrameReader",
    "FrameWriter",
    "ffmpeg_binary",
    "ffprobe_binary",
    "pinned_input",
    "read_frames",
    "run_ffmpeg",
    "run_ffmpeg_sync",
]

_FRAMES = frozenset({"DETERMINISTIC_H264", "H264", "Frame", "FrameReader", "FrameWriter", "read_frames"})

if TYPE_CHECKING:
    from core.ffmpeg.frames import DETERMINISTIC_H264, H264, Frame, FrameReader, FrameWriter, read_frames


def __getattr__(name: str) -> Any:
    if name in _FRAMES:
        from core.ffmpeg import frames

        return getattr(frames, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
