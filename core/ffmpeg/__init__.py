"""The one way the suite runs ffmpeg: binary lookup, guarded inputs, progress, cancellation."""

from core.ffmpeg.runner import (
    FfmpegResult,
    ffmpeg_binary,
    ffprobe_binary,
    pinned_input,
    run_ffmpeg,
    run_ffmpeg_sync,
)

__all__ = [
    "FfmpegResult",
    "ffmpeg_binary",
    "ffprobe_binary",
    "pinned_input",
    "run_ffmpeg",
    "run_ffmpeg_sync",
]
