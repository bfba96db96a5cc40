"""The loudness normalize reports is the stored file's: a layout or rate change happens before
the gain, and an independent meter (pyloudnorm) on the stored bytes agrees with the report."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from core.ffmpeg.runner import ffmpeg_binary
from tests.muscles.audio_capture_normalize.conftest import integrated_lufs, read_samples
from tests.muscles.transcriber.conftest import AudioServer, call

pytestmark = pytest.mark.anyio

# Each channel its own tone and level, with a slow tremolo so the loudness is not a constant.
_SURROUND = (
    "sine=f=220:d=4,volume=0.5[c0];sine=f=330:d=4,volume=0.5[c1];sine=f=440:d=4,volume=0.7[c2];"
    "sine=f=60:d=4,volume=0.2[c3];sine=f=550:d=4,volume=0.3[c4];sine=f=660:d=4,volume=0.3[c5];"
    "[c0][c1][c2][c3][c4][c5]join=inputs=6:channel_layout=5.1,tremolo=f=0.7:d=0.4"
)


def _make(path: Path, graph: str, *, rate: int, codec: str = "pcm_s16le") -> Path:
    args = ["-loglevel", "error", "-y", "-filter_complex", graph, "-ar", str(rate), "-c:a", codec]
    subprocess.run([ffmpeg_binary(), *args, str(path)], check=True)
    return path


def _surround(tmp: Path) -> Path:
    return _make(tmp / "surround.wav", _SURROUND, rate=48000)


def _mono(tmp: Path) -> Path:
    return _make(tmp / "mono.wav", "sine=f=440:d=4,volume=0.3,tremolo=f=0.7:d=0.4", rate=44100)


def _stereo_48k(tmp: Path) -> Path:
    graph = "anoisesrc=d=4:c=pink:a=0.05:seed=7,lowpass=f=6000,aformat=channel_layouts=stereo"
    return _make(tmp / "wide.flac", graph, rate=48000, codec="flac")


CASES = {
    "5.1 to stereo": (_surround, {"channels": "stereo"}, 48000, 2),
    "mono to stereo": (_mono, {"channels": "stereo"}, 44100, 2),
    "48 kHz to 16 kHz": (_stereo_48k, {"sample_rate": 16000}, 16000, 2),
}


@pytest.mark.parametrize("target", [-16.0, -23.0])
@pytest.mark.parametrize("case", sorted(CASES))
async def test_the_reported_loudness_is_what_the_stored_file_measures(
    normalizer: AudioServer, tmp_path: Path, case: str, target: float
) -> None:
    make, options, rate, channels = CASES[case]
    source = normalizer.register(make(tmp_path))
    arguments = {"uri": source.uri, "integrated_lufs": target, "true_peak_db": -1.0, **options}
    async with normalizer.client() as client:
        is_error, result = await call(client, "normalize", arguments)
    assert not is_error, result
    output = result["output"]
    assert (output["sample_rate"], output["channels"]) == (rate, channels)

    stored = normalizer.store.materialize(normalizer.scope, output["uri"], tmp_path / "out.audio")
    measured = integrated_lufs(read_samples(stored, channels=channels), rate)
    reported = result["output_loudness"]["integrated_lufs"]
    assert abs(reported - measured) <= 0.1, (reported, measured)
    assert result["deviation_lu"] == pytest.approx(reported - target, abs=0.01)
    missed = [warning for warning in result["warnings"] if "LUFS target" in warning]
    assert abs(measured - target) <= 0.5 or missed, (measured, result["warnings"])
    assert normalizer.leftovers() == []


async def test_a_missed_target_is_a_warning_with_the_figures(normalizer: AudioServer, tmp_path: Path) -> None:
    # A quiet tone with a tight true-peak ceiling pushed far up: loudnorm's dynamic mode and its
    # limiter cannot land the integrated target, and the result says by how much.
    quiet = _make(tmp_path / "quiet.wav", "sine=f=440:d=3,volume=0.9", rate=48000)
    source = normalizer.register(quiet)
    arguments = {"uri": source.uri, "integrated_lufs": -5.0, "true_peak_db": -9.0}
    async with normalizer.client() as client:
        is_error, result = await call(client, "normalize", arguments)
    assert not is_error, result
    assert result["normalization_type"] == "dynamic"
    warnings = " | ".join(result["warnings"])
    assert "dynamic" in warnings
    assert (
        f"{result['output_loudness']['integrated_lufs']:g} LUFS" in warnings and "-5 LUFS target" in warnings
    )
