"""Speech made at test time with espeak-ng, and the text it says (for word error rates)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from core.ffmpeg.runner import ffmpeg_binary

# About 19 s of speech: long enough for several segments, short enough for a test on 2 cores.
# Plain words only: numbers and names are where tiny.en and the reference disagree on spelling.
PARAGRAPH = (
    "The morning train was late again, so the small group of travellers waited on the cold platform. "
    "A woman in a green coat read her book while two children played with a red ball. "
    "When the train finally arrived, everyone hurried inside to find a warm seat near the window. "
    "The journey along the river took most of the day."
)

# One short sentence (about 3 s): for calls whose transcript only needs to exist.
SENTENCE = "Please send the weekly report to the whole team before noon."


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def write_speech_wav(path: Path, text: str = PARAGRAPH, *, words_per_minute: int = 160) -> Path:
    """espeak-ng's en-us voice saying ``text``: a 22.05 kHz mono 16-bit WAV."""
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["espeak-ng", "-v", "en-us", "-s", str(words_per_minute), "-w", str(path), text],
        check=True,
        capture_output=True,
    )
    return path


def write_speech_video(path: Path, text: str = SENTENCE) -> Path:
    """A small MP4 (testsrc2 picture, AAC speech) that lasts as long as the speech."""
    wav = write_speech_wav(path.with_suffix(".speech.wav"), text)
    try:
        subprocess.run(
            [
                ffmpeg_binary(),
                *("-hide_banner", "-loglevel", "error", "-y"),
                *("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10"),
                *("-i", str(wav)),
                *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"),
                *("-c:a", "aac", "-shortest", str(path)),
            ],
            check=True,
        )
    finally:
        wav.unlink(missing_ok=True)
    return path


def write_silence_wav(path: Path, *, seconds: float = 3.0, rate: int = 16000) -> Path:
    """Digital silence: a WAV whose every sample is zero."""
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            ffmpeg_binary(),
            *("-hide_banner", "-loglevel", "error", "-y"),
            *("-f", "lavfi", "-i", f"anullsrc=r={rate}:cl=mono", "-t", str(seconds)),
            *("-c:a", "pcm_s16le", str(path)),
        ],
        check=True,
    )
    return path


def normalise_words(text: str) -> str:
    """Lower case, punctuation dropped, single spaces: how WER compares transcripts."""
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split())
