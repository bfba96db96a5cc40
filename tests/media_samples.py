"""Media made at test time: deterministic WAVs from Python, video and audio from ffmpeg lavfi."""

from __future__ import annotations

import math
import os
import struct
import subprocess
import wave
from pathlib import Path

from core.ffmpeg.runner import ffmpeg_binary


def write_tone_wav(path: Path, *, seconds: float = 1.0, rate: int = 16000, freq: float = 440.0) -> Path:
    """A mono 16-bit sine WAV. Pure Python, so its bytes (and sha256) are the same everywhere."""
    frames = int(seconds * rate)
    samples = (round(12000 * math.sin(2 * math.pi * freq * n / rate)) for n in range(frames))
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"".join(struct.pack("<h", s) for s in samples))
    return path


def write_test_video(path: Path, *, seconds: float = 2.0, size: str = "320x240", fps: int = 25) -> Path:
    """A small H.264 + AAC MP4 from ffmpeg's testsrc2 and sine sources."""
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            ffmpeg_binary(),
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size={size}:rate={fps}:duration={seconds}",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:duration={seconds}",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
            str(path),
        ],
        check=True,
    )
    return path


def write_truncated(source: Path, dest: Path, keep: float = 0.5) -> Path:
    """The first ``keep`` share of ``source``'s bytes: a broken file that still looks like media."""
    data = source.read_bytes()
    dest.write_bytes(data[: int(len(data) * keep)])
    return dest


def write_silent_video(path: Path, *, seconds: float = 2.0, size: str = "160x120", fps: int = 25) -> Path:
    """A picture-only H.264 MP4 of testsrc2. x264 is bit-exact on every CPU, so its bytes (and
    the asset id taken from them) are the same wherever the examples run."""
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            ffmpeg_binary(),
            *("-hide_banner", "-loglevel", "error", "-y"),
            *("-f", "lavfi", "-i", f"testsrc2=size={size}:rate={fps}:duration={seconds}"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-threads", "1"),
            *("-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact", str(path)),
        ],
        check=True,
    )
    return path


def ffmpeg_running_under(folder: Path) -> list[int]:
    """Pids of ffmpeg processes whose command line names a path under ``folder``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and os.path.basename(argv[0]) == b"ffmpeg" and str(folder).encode() in b" ".join(argv):
            found.append(int(entry.name))
    return found


def decoded_video(path: Path) -> tuple[int, float]:
    """(frames, seconds) of the first video stream, counted by decoding every frame with ffmpeg
    (not read from the container's header, which a muxer writes and may get wrong)."""
    proc = subprocess.run(
        [
            ffmpeg_binary(),
            "-hide_banner",
            "-nostats",
            "-i",
            str(path),
            "-map",
            "0:v:0",
            "-f",
            "null",
            "-progress",
            "pipe:1",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    fields = dict(line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line)
    return int(fields["frame"]), int(fields["out_time_us"]) / 1e6


# Red and green of equal BT.601 luma (Y 103 in yuv420p), then a darker grey and a blue: a cut a
# luma-only scene score misses, then ones it sees.
EQUAL_LUMA_SHOTS = (("0xC83C3C", 1.0), ("0x289128", 0.8), ("0x404040", 1.2), ("0x5050FF", 1.0))


def write_colour_shots(
    path: Path,
    shots: tuple[tuple[str, float], ...] = EQUAL_LUMA_SHOTS,
    *,
    size: str = "160x90",
    fps: int = 25,
    noise: int = 6,
) -> Path:
    """Solid colour shots (``(colour, seconds)``) cut together, with moving grain so no two
    frames of a shot are the same; picture-only H.264, the same bytes on every machine."""
    path.parent.mkdir(parents=True, exist_ok=True)
    inputs = [
        arg
        for colour, seconds in shots
        for arg in ("-f", "lavfi", "-i", f"color=c={colour}:s={size}:r={fps}:d={seconds}")
    ]
    joined = "".join(f"[{index}:v]" for index in range(len(shots)))
    subprocess.run(
        [
            ffmpeg_binary(),
            *("-hide_banner", "-loglevel", "error", "-y", *inputs),
            *("-filter_complex", f"{joined}concat=n={len(shots)}:v=1:a=0,noise=alls={noise}:allf=t"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-threads", "1"),
            *("-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact", str(path)),
        ],
        check=True,
    )
    return path
