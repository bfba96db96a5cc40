"""Reading a render's sound back: decode it to mono float samples, measure one tone's level."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from core.ffmpeg.runner import ffmpeg_binary

RATE = 48000


def decoded_sound(path: Path) -> np.ndarray:
    """The first audio stream of ``path`` as mono float32 at 48 kHz."""
    args = ["-v", "error", "-i", str(path), "-map", "0:a:0", "-ac", "1", "-ar", str(RATE), "-f", "f32le", "-"]
    raw = subprocess.run(
        [ffmpeg_binary(), *args],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, dtype="<f4").astype(np.float64)


def tone_level_db(samples: np.ndarray, start_s: float, end_s: float, freq: float) -> float:
    """Level (dB re full scale amplitude) of the ``freq`` Hz component between ``start_s`` and ``end_s``: the magnitude
    of its FFT bin (windowed, whole-cycle span), so other tones in the mix do not count."""
    window = samples[round(start_s * RATE) : round(end_s * RATE)]
    taper = np.hanning(len(window))
    spectrum = np.abs(np.fft.rfft(window * taper)) / taper.sum()  # independent of the span's length
    freqs = np.fft.rfftfreq(len(window), 1 / RATE)
    near = np.abs(freqs - freq) <= 3 * RATE / len(window)
    return float(20 * np.log10(np.sqrt(np.sum(spectrum[near] ** 2)) + 1e-12))
