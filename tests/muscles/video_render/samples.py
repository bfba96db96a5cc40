"""What the video muscles' declared examples read: two short picture-only clips and a tone,
stored in media_v2 (x264 and the pure-Python WAV give the same bytes on every machine)."""

from __future__ import annotations

from pathlib import Path

from tests.media_samples import write_silent_video, write_tone_wav

REGISTERED = ("samples/intro.mp4", "samples/main.mp4", "samples/tone.wav")


def write_samples(import_root: Path) -> None:
    write_silent_video(import_root / "samples" / "intro.mp4", seconds=4.0)
    write_silent_video(import_root / "samples" / "main.mp4", seconds=7.0)
    write_tone_wav(import_root / "samples" / "tone.wav")
