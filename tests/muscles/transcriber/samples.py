"""What the transcriber's declared examples read: one spoken sentence (espeak-ng, whose output
is byte-identical for the same voice and text), stored in media_v2."""

from __future__ import annotations

from pathlib import Path

from tests.speech_samples import SENTENCE, write_speech_wav

REGISTERED = ("samples/speech.wav",)


def write_samples(import_root: Path) -> None:
    write_speech_wav(import_root / "samples" / "speech.wav", SENTENCE)
