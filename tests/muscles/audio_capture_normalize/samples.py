"""What audio_capture_normalize's declared examples read: a 1 s tone (pure Python, the same
bytes everywhere), stored in media_v2."""

from __future__ import annotations

from pathlib import Path

from tests.media_samples import write_tone_wav

REGISTERED = ("samples/tone.wav",)


def write_samples(import_root: Path) -> None:
    write_tone_wav(import_root / "samples" / "tone.wav")
