"""Files media_v2's declared examples read from the import root."""

from __future__ import annotations

from pathlib import Path

from tests.media_samples import write_tone_wav


def write_samples(import_root: Path) -> None:
    write_tone_wav(import_root / "samples" / "tone.wav")
