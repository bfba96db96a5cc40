"""Offsets from sound, against copies of one scene made with known offsets: different sample
rates, gains, noise down to 0 dB SNR, a camera clip's AAC sound, three recordings at once,
a slow clock, and recordings that share nothing."""

from __future__ import annotations

import pytest

from .conftest import MulticamServer
from .scene import Audio, Take

REF = Take(start_s=2.0, seconds=25.0, rate=48000)


@pytest.mark.parametrize(
    ("offset_s", "take"),
    [
        (1.234, Take(start_s=REF.start_s + 1.234, seconds=20.0, rate=44100, gain=0.3)),
        (-0.5, Take(start_s=REF.start_s - 0.5, seconds=20.0, rate=32000, gain=2.0, snr_db=0.0, seed=1)),
        (
            17.3456,
            Take(start_s=REF.start_s + 17.3456, seconds=20.0, rate=48000, gain=0.5, snr_db=0.0, seed=2),
        ),
    ],
    ids=["plus_1.234_44k1", "minus_0.5_32k_0dB", "plus_17.3456_48k_0dB"],
)
def test_known_offsets_are_found_within_a_millisecond_with_high_confidence(
    multicam: MulticamServer, scene_audio: Audio, offset_s: float, take: Take
) -> None:
    reference = multicam.store_take(scene_audio, REF, "ref.wav")
    other = multicam.store_take(scene_audio, take, "other.wav")
    is_error, result = multicam.call("video_multicam", "align", {"uris": [reference, other]})
    assert not is_error, result
    ref_sync, other_sync = result["recordings"]
    assert ref_sync["offset_s"] == 0.0 and result["reference"] == reference
    assert abs(other_sync["offset_s"] - offset_s) < 1e-3, other_sync
    assert other_sync["confidence"] > 10 and ref_sync["confidence"] > 10
    assert multicam.leftovers() == []


def test_a_camera_clips_compressed_sound_lines_up_too(multicam: MulticamServer, scene_audio: Audio) -> None:
    camera = multicam.store_take(scene_audio, Take(start_s=REF.start_s + 1.234, seconds=12.0), "cam.mp4")
    recorder = multicam.store_take(scene_audio, REF, "recorder.wav")
    is_error, result = multicam.call("video_multicam", "align", {"uris": [camera, recorder]})
    assert not is_error, result
    # The camera is the reference here: the recorder started 1.234 s before it.
    assert abs(result["recordings"][1]["offset_s"] + 1.234) < 1e-3, result["recordings"]
    assert result["recordings"][1]["confidence"] > 10


def test_three_recordings_get_consistent_offsets_and_small_residuals(
    multicam: MulticamServer, scene_audio: Audio
) -> None:
    takes = {
        "a.wav": REF,
        "b.wav": Take(start_s=REF.start_s + 1.234, seconds=20.0, rate=44100, gain=0.3, snr_db=0.0, seed=3),
        "c.wav": Take(start_s=REF.start_s - 0.5, seconds=15.0, rate=32000, gain=2.0, snr_db=0.0, seed=4),
    }
    uris = [multicam.store_take(scene_audio, take, name) for name, take in takes.items()]
    # The middle one as reference: offsets are measured on its clock.
    is_error, result = multicam.call("video_multicam", "align", {"uris": uris, "reference": uris[1]})
    assert not is_error, result
    offsets = [rec["offset_s"] for rec in result["recordings"]]
    expected = [take.start_s - takes["b.wav"].start_s for take in takes.values()]
    assert offsets[1] == 0.0
    assert all(abs(got - want) < 1e-3 for got, want in zip(offsets, expected, strict=True)), offsets
    assert all(rec["residual_ms"] < 0.5 and rec["confidence"] > 10 for rec in result["recordings"])


def test_a_100_ppm_slow_clock_is_measured_within_20_ppm(multicam: MulticamServer, scene_audio: Audio) -> None:
    reference = multicam.store_take(scene_audio, Take(start_s=0.0, seconds=98.0, rate=48000), "ref.wav")
    slow = multicam.store_take(
        scene_audio, Take(start_s=3.0, seconds=90.0, rate=44100, drift_ppm=100.0, snr_db=10.0), "slow.wav"
    )
    is_error, result = multicam.call("video_multicam", "align", {"uris": [reference, slow]})
    assert not is_error, result
    found = result["recordings"][1]
    assert abs(found["drift_ppm"] - 100.0) < 20, found
    assert abs(found["speed_correction"] - 1 / 1.0001) < 20e-6
    assert result["recordings"][0]["drift_ppm"] is None  # the reference has no drift against itself


def test_recordings_without_common_sound_are_refused_as_no_overlap(
    multicam: MulticamServer, scene_audio: Audio
) -> None:
    first = multicam.store_take(scene_audio, Take(start_s=2.0, seconds=20.0), "first.wav")
    later = multicam.store_take(scene_audio, Take(start_s=40.0, seconds=20.0), "later.wav")
    is_error, result = multicam.call("video_multicam", "align", {"uris": [first, later]})
    assert is_error
    error = result["error"]
    assert error["code"] == "no_overlap" and error["hint"] and error["value"] == later
    assert error["details"]["z"] < 10
    assert multicam.leftovers() == []


def test_max_offset_bounds_the_search(multicam: MulticamServer, scene_audio: Audio) -> None:
    reference = multicam.store_take(scene_audio, REF, "ref.wav")
    late = multicam.store_take(scene_audio, Take(start_s=REF.start_s + 17.3456, seconds=20.0), "late.wav")
    is_error, result = multicam.call(
        "video_multicam", "align", {"uris": [reference, late], "max_offset_s": 5.0}
    )
    assert is_error and result["error"]["code"] == "no_overlap"
    is_error, result = multicam.call(
        "video_multicam", "align", {"uris": [reference, late], "max_offset_s": 20.0}
    )
    assert not is_error and abs(result["recordings"][1]["offset_s"] - 17.3456) < 1e-3
