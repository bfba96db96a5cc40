"""The one way the suite runs ffmpeg: binary lookup, guarded inputs, progress, cancellation;
raw frames in and out as numpy arrays."""

from core.ffmpeg.frames import DETERMINISTIC_H264, H264, Frame, FrameReader, FrameWriter, read_frames
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
