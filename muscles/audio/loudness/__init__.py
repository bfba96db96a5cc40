"""Loudness code the audio and video muscles share: ffmpeg's two-pass loudnorm (its arguments
and the JSON report it prints) and the EBU R128 meter run on a finished file.

audio_capture_normalize normalises a file with it; video_render measures a timeline's mix in
an analysis run and gains it to the timeline's loudness target in the render.
"""

from muscles.audio.loudness.loudnorm import (
    I_RANGE,
    LRA_RANGE,
    TP_RANGE,
    Loudness,
    LoudnessTarget,
    OutputShape,
    Report,
    SilentAudio,
    gain_filter,
    measure_args,
    muxer_of,
    normalize_args,
    parse_report,
)
from muscles.audio.loudness.measure import measure_file

__all__ = [
    "I_RANGE",
    "LRA_RANGE",
    "TP_RANGE",
    "Loudness",
    "LoudnessTarget",
    "OutputShape",
    "Report",
    "SilentAudio",
    "gain_filter",
    "measure_args",
    "measure_file",
    "muxer_of",
    "normalize_args",
    "parse_report",
]
