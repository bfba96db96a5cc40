"""The one way the suite runs ffmpeg: binary lookup, guarded inputs, progress, cancellation."""

from core.ffmpeg.frames import DETERMINISTIC_H264, H264, FrameReader, FrameWriter, read_frames
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
    "FrameReader",
    "FrameWriter",
    "ffmpeg_binary",
    "ffprobe_binary",
    "pinned_input",
    "read_frames",
    "run_ffmpeg",
    "run_ffmpeg_sync",
]
