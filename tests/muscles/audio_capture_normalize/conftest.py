"""An audio_capture_normalize server per test, a speech sample, and an independent loudness meter."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyloudnorm
import pytest
from scipy.signal import resample_poly  # type: ignore[import-untyped]

from core.ffmpeg.runner import ffmpeg_binary
from tests.conftest import require
from tests.muscles.transcriber.conftest import AudioServer, make_server
from tests.speech_samples import PARAGRAPH, espeak_available, write_speech_wav


@pytest.fixture
def make_normalizer(tmp_path: Path) -> Callable[..., AudioServer]:
    def make(**overrides: Any) -> AudioServer:
        return make_server("muscles.audio.audio_capture_normalize.mcp", tmp_path, **overrides)

    return make


@pytest.fixture
def normalizer(make_normalizer: Callable[..., AudioServer]) -> AudioServer:
    return make_normalizer()


@pytest.fixture(scope="session")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    require(espeak_available(), "espeak-ng is not installed")
    yield write_speech_wav(tmp_path_factory.mktemp("loudness") / "speech.wav", PARAGRAPH)


def read_samples(path: Path, channels: int) -> npt.NDArray[np.float64]:
    """Decode any audio file to float samples (frames x channels) with ffmpeg."""
    raw = subprocess.run(
        [ffmpeg_binary(), "-loglevel", "error", "-i", str(path), "-f", "f32le", "-c:a", "pcm_f32le", "-"],
        check=True,
        capture_output=True,
    ).stdout
    return np.frombuffer(raw, dtype="<f4").astype(np.float64).reshape(-1, channels)


def integrated_lufs(samples: npt.NDArray[np.float64], rate: int) -> float:
    """BS.1770-4 integrated loudness, measured by pyloudnorm (not by ffmpeg)."""
    return float(pyloudnorm.Meter(rate).integrated_loudness(samples))


def true_peak_dbtp(samples: npt.NDArray[np.float64]) -> float:
    """Peak of the 4x oversampled signal, in dB: the BS.1770 true-peak estimate."""
    oversampled = resample_poly(samples, 4, 1, axis=0)
    return float(20 * np.log10(np.max(np.abs(oversampled))))
