"""Every recording's sound at one common rate: mono float32 PCM through ffmpeg."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .correlate import Signal

__all__ = ["ANALYSIS_RATE", "extraction_args", "load"]

# 8 kHz holds speech and the body of music; the sub-sample peak places it to ~20 µs, and an
# hour of it is 29 M samples: an FFT numpy does in seconds.
ANALYSIS_RATE = 8000


def extraction_args(source: list[str], dest: Path) -> list[str]:
    """ffmpeg arguments: the first audio stream of ``source`` (its ``-i`` and input options),
    downmixed and resampled to :data:`ANALYSIS_RATE` float32 PCM in ``dest``."""
    return [
        *("-y", *source, "-map", "0:a:0", "-vn", "-sn", "-dn"),
        *("-ac", "1", "-ar", str(ANALYSIS_RATE), "-c:a", "pcm_f32le", "-f", "f32le", str(dest)),
    ]


def load(path: Path) -> Signal:
    signal: Signal = np.fromfile(path, dtype="<f4")
    return signal
