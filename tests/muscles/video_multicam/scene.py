"""Recordings of one made-up event, made at test time: espeak-ng speech over a music-like bed
of seeded random notes (the "scene"), then copies of stretches of it with exact, known
offsets (sub-sample, by a phase ramp), their own gain, sample rate, noise and clock drift."""

from __future__ import annotations

import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy.signal import resample_poly

from core.ffmpeg.runner import ffmpeg_binary
from tests.speech_samples import write_speech_wav

SCENE_RATE = 48000
Audio = npt.NDArray[np.float64]

_TEXT = (
    "Good evening and welcome to the harbour festival. Tonight the lanterns float across the bay "
    "while the brass band plays the old sailing songs. Seven boats have entered the race, and the "
    "crowd on the north pier is already cheering for the red schooner. Our reporter is standing "
    "next to the lighthouse, where the fireworks will start at nine. The wind is light from the "
    "west, the tide is turning, and the smell of grilled fish drifts over the square. Children "
    "with paper hats run between the stalls, and a juggler balances three copper bowls on a pole. "
    "Later we will talk to the mayor about the new bridge and the plans for the market hall. "
    "Stay with us, because the last boat is rounding the buoy right now."
)


@dataclass(frozen=True)
class Take:
    """A recording of the scene: ``seconds`` of it from scene time ``start_s``, at ``rate`` Hz."""

    start_s: float
    seconds: float
    rate: int = 48000
    gain: float = 1.0
    snr_db: float | None = None
    drift_ppm: float = 0.0  # > 0: this recorder's clock runs slow, its copy plays short
    seed: int = 0


def scene(folder: Path, seconds: float = 60.0) -> Audio:
    """Speech and notes at 48 kHz, ``seconds`` long; the speech repeats nowhere."""
    speech_path = write_speech_wav(folder / "speech.wav", _TEXT, words_per_minute=150)
    with wave.open(str(speech_path)) as raw:
        rate = raw.getframerate()
        speech = np.frombuffer(raw.readframes(raw.getnframes()), dtype="<i2").astype(np.float64) / 32768
    speech = resample_poly(speech, SCENE_RATE, rate)
    total = int(seconds * SCENE_RATE)
    out = np.zeros(total)
    out[: min(total, len(speech))] = speech[:total]
    return out + 0.3 * _notes(total, seed=7)


def _notes(total: int, seed: int) -> Audio:
    """Random notes with decaying envelopes at random times and pitches: something like music
    that never repeats (a bar that came back would match itself at the wrong offset)."""
    rng = np.random.default_rng(seed)
    out = np.zeros(total)
    t = np.arange(int(0.6 * SCENE_RATE)) / SCENE_RATE
    start = 0
    while start < total - len(t):
        freq = 110 * 2 ** rng.uniform(0, 3)
        out[start : start + len(t)] += np.sin(2 * np.pi * freq * t) * np.exp(-t * 6) * rng.uniform(0.3, 1.0)
        start += int(rng.uniform(0.1, 0.4) * SCENE_RATE)
    return out


def record(source: Audio, take: Take) -> Audio:
    """The take: the scene from ``start_s`` for ``seconds``, at its rate, with its gain, noise and drift."""
    # Sample n of the take holds scene time start + n / rate * (1 + drift): a slow clock.
    stretch = 1.0 + take.drift_ppm * 1e-6
    count = int(take.seconds * take.rate)
    times = take.start_s + np.arange(count) / take.rate * stretch
    if take.drift_ppm == 0.0:
        take_audio = _shifted_resample(source, take.start_s, count, take.rate)
    else:
        # Band-limited enough for 100 ppm: resample to the take's rate, then interpolate linearly.
        dense = resample_poly(source, take.rate, SCENE_RATE)
        take_audio = np.interp(times * take.rate, np.arange(len(dense)), dense)
    take_audio = take.gain * take_audio
    if take.snr_db is not None:
        rng = np.random.default_rng(take.seed)
        power = float(np.mean(take_audio**2))
        take_audio = take_audio + rng.normal(0, np.sqrt(power / 10 ** (take.snr_db / 10)), count)
    return take_audio


def _shifted_resample(source: Audio, start_s: float, count: int, rate: int) -> Audio:
    """``source`` from ``start_s`` exactly (the fractional sample by an FFT phase ramp), at ``rate``."""
    position = start_s * SCENE_RATE
    whole = int(np.floor(position))
    fraction = position - whole
    need = int(count * SCENE_RATE / rate) + 64
    piece = np.zeros(need + 128)
    lo = whole - 64
    src_lo, src_hi = max(0, lo), min(len(source), lo + len(piece))
    piece[src_lo - lo : src_hi - lo] = source[src_lo:src_hi]
    spectrum = np.fft.rfft(piece)
    freqs = np.fft.rfftfreq(len(piece))
    piece = np.fft.irfft(spectrum * np.exp(2j * np.pi * freqs * fraction), len(piece))
    return resample_poly(piece[64:], rate, SCENE_RATE)[:count]


def write_wav(path: Path, audio: Audio, rate: int) -> Path:
    """16-bit mono WAV, clipped to full scale."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pcm = np.clip(np.round(audio * 32767), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return path


def write_video(path: Path, audio: Audio, rate: int) -> Path:
    """A small MP4 of testsrc2 with ``audio`` as its (AAC) sound, as a camera would record it."""
    wav = write_wav(path.with_suffix(".wav"), audio, rate)
    seconds = len(audio) / rate
    subprocess.run(
        [
            ffmpeg_binary(),
            *("-hide_banner", "-loglevel", "error", "-y"),
            *("-f", "lavfi", "-i", f"testsrc2=size=160x120:rate=25:duration={seconds}"),
            *("-i", str(wav), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"),
            *("-c:a", "aac", "-b:a", "96k", "-shortest", str(path)),
        ],
        check=True,
    )
    wav.unlink()
    return path
