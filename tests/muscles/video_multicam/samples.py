"""What video_multicam's declared example reads: a camera clip (picture and sound) and a sound
recorder that started 1.25 s after it, both hearing the same noise-like sound. Pure-Python
noise, PCM sound and bit-exact x264 give the same bytes (and asset ids) on every machine."""

from __future__ import annotations

import random
import struct
import subprocess
import wave
from pathlib import Path

from core.ffmpeg.runner import ffmpeg_binary

REGISTERED = ("samples/cam_a.mov", "samples/recorder.wav")
RATE = 8000
RECORDER_LATE_S = 1.25


def _noise(seconds: float, seed: int) -> list[float]:
    rng = random.Random(seed)
    return [rng.uniform(-0.5, 0.5) for _ in range(int(seconds * RATE))]


def _write_wav(path: Path, samples: list[float]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(b"".join(struct.pack("<h", round(s * 32767)) for s in samples))
    return path


def write_samples(import_root: Path) -> None:
    folder = import_root / "samples"
    event = _noise(8.0, seed=13)
    late = int(RECORDER_LATE_S * RATE)
    _write_wav(folder / "recorder.wav", [0.5 * s for s in event[late : late + 5 * RATE]])
    camera_sound = _write_wav(folder / "cam_a_sound.wav", event[: 6 * RATE])
    subprocess.run(
        [
            ffmpeg_binary(),
            *("-hide_banner", "-loglevel", "error", "-y"),
            *("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=6", "-i", str(camera_sound)),
            *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-threads", "1"),
            *("-c:a", "copy", "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact"),
            str(folder / "cam_a.mov"),
        ],
        check=True,
    )
    camera_sound.unlink()
