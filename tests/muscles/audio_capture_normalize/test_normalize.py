"""Two-pass loudnorm lands on target, as an independent meter (pyloudnorm) measures it, and
says so plainly when ffmpeg had to fall back to dynamic compression."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.muscles.audio_capture_normalize.conftest import integrated_lufs, read_samples, true_peak_dbtp
from tests.muscles.transcriber.conftest import AudioServer, call

pytestmark = pytest.mark.anyio


async def test_minus_23_lufs_lands_within_half_a_lu_with_the_peak_under_target(
    normalizer: AudioServer, speech_wav: Path, tmp_path: Path
) -> None:
    source = normalizer.register(speech_wav)
    async with normalizer.client() as client:
        is_error, result = await call(
            client, "normalize", {"uri": source.uri, "integrated_lufs": -23.0, "true_peak_db": -1.0}
        )
    assert not is_error, result
    assert result["normalization_type"] == "linear" and result["warnings"] == []
    output = result["output"]
    assert (output["mime_type"], output["sample_rate"], output["channels"]) == ("audio/wav", 22050, 1)
    assert output["filename"] == "speech-normalized.wav"

    path = normalizer.store.materialize(normalizer.scope, output["uri"], tmp_path / "out.wav")
    samples = read_samples(path, channels=1)
    measured = integrated_lufs(samples, 22050)
    assert abs(measured - -23.0) <= 0.5, measured
    assert true_peak_dbtp(samples) < -1.0
    # What the tool reports agrees with the independent meter.
    assert abs(result["output_loudness"]["integrated_lufs"] - measured) <= 0.5
    source_lufs = integrated_lufs(read_samples(speech_wav, channels=1), 22050)
    assert abs(result["input_loudness"]["integrated_lufs"] - source_lufs) <= 0.5
    assert abs(result["deviation_lu"]) <= 0.5
    assert normalizer.leftovers() == []


async def test_a_target_out_of_linear_reach_reports_dynamic_mode_with_a_warning(
    normalizer: AudioServer, speech_wav: Path
) -> None:
    source = normalizer.register(speech_wav)
    arguments = {
        "uri": source.uri,
        "integrated_lufs": -10.0,  # ~10 LU of gain on a -0.6 dBTP peak: no linear gain fits under -2
        "true_peak_db": -2.0,
        "sample_rate": 48000,
        "channels": "stereo",
        "file_format": "flac",
    }
    async with normalizer.client() as client:
        is_error, result = await call(client, "normalize", arguments)
    assert not is_error, result
    assert result["normalization_type"] == "dynamic"
    # The limiter keeps the peak and misses the integrated target: both are said.
    assert any("dynamic" in warning for warning in result["warnings"])
    assert any("-10 LUFS target" in warning for warning in result["warnings"])
    output = result["output"]
    assert (output["mime_type"], output["sample_rate"], output["channels"]) == ("audio/flac", 48000, 2)
    assert result["output_loudness"]["true_peak_dbtp"] <= -2.0 + 0.1
    assert normalizer.leftovers() == []
