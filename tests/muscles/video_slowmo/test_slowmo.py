"""Slow motion and frame-rate conversion over MCP: exact rates and frame counts, durations that
scale by the factor, sound as long as the picture and at its pitch, clips without sound, the
timeline edit, and bad arguments refused with coded errors that leave nothing behind."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.media_samples import decoded_video, write_silent_video, write_test_video

from .conftest import VideoServers, decoded_audio


def _clip(servers: VideoServers, name: str = "clip.mp4", **video: Any) -> str:
    return servers.register(write_test_video(servers.media / name, size="160x120", **video))


@pytest.mark.parametrize("preset", ["fast", "mci", "flow"])
def test_30_to_60_fps_has_exactly_twice_the_frames(servers: VideoServers, preset: str) -> None:
    uri = _clip(servers, seconds=1.0, fps=30)
    is_error, result = servers.call("video_slowmo", "interpolate", {"uri": uri, "fps": 60, "preset": preset})
    assert not is_error, result
    path = servers.fetch(result["media"]["uri"], "out.mp4")
    frames, seconds = decoded_video(path)
    assert (result["fps"], result["frame_count"], frames) == (60.0, 60, 60)
    assert abs(seconds - 1.0) <= 1 / 60
    assert abs(len(decoded_audio(path)) / 16000 - 1.0) <= 1 / 60 + 0.03  # AAC ends on whole frames
    assert result["audio"] == "stretched" and result["preset"] == preset
    assert servers.leftovers() == []


@pytest.mark.parametrize("preset", ["fast", "mci", "flow"])
def test_a_quarter_speed_range_lasts_four_times_as_long_with_sound_at_its_pitch(
    servers: VideoServers, preset: str
) -> None:
    uri = _clip(servers, seconds=3.0, fps=30)
    is_error, result = servers.call(
        "video_slowmo",
        "slowmo",
        {"uri": uri, "factor": 0.25, "start_s": 0.5, "end_s": 2.5, "preset": preset, "clip_id": "c1"},
    )
    assert not is_error, result
    path = servers.fetch(result["media"]["uri"], "slow.mp4")
    frames, seconds = decoded_video(path)
    assert (result["fps"], result["frame_count"], frames) == (30.0, 240, 240)  # 60 frames x 4
    assert abs(seconds - 8.0) <= 1 / 30 and abs(result["duration_s"] - 8.0) <= 1 / 30
    sound = decoded_audio(path)
    assert abs(len(sound) / 16000 - 8.0) <= 1 / 30 + 0.03
    # atempo keeps the pitch: the 440 Hz tone is still 440 Hz, not 110.
    spectrum = np.abs(np.fft.rfft(sound[16000:48000]))
    assert abs(np.argmax(spectrum) * 16000 / 32000 - 440) < 5
    assert result["edit"] == {
        "id": "c1",
        "uri": uri,
        "source_in_s": 0.5,
        "source_out_s": 2.5,
        "start_s": 0.0,
        "speed": 0.25,
        "volume": 1.0,
        "automation": {"lanes": [], "camera": []},
    }


def test_the_edit_is_a_timeline_clip_video_timeline_accepts(servers: VideoServers) -> None:
    uri = _clip(servers, seconds=2.0, fps=25)
    is_error, result = servers.call(
        "video_slowmo", "slowmo", {"uri": uri, "factor": 0.1, "end_s": 0.4, "preset": "fast"}
    )
    assert not is_error, result
    timeline = {"tracks": [{"id": "v", "clips": [result["edit"]]}]}
    is_error, report = servers.call("video_timeline", "validate", {"timeline": timeline})
    assert not is_error and report["valid"], report
    # The timeline's clip lasts what the slow-motion file lasts.
    assert abs(report["duration_s"] - result["duration_s"]) <= 1 / 25


def test_a_clip_without_sound_and_a_muted_one_give_picture_only(servers: VideoServers) -> None:
    silent = servers.register(write_silent_video(servers.media / "silent.mp4", seconds=1.0))
    is_error, result = servers.call("video_slowmo", "slowmo", {"uri": silent, "factor": 0.5})
    assert not is_error, result
    assert result["audio"] == "none" and result["frame_count"] == 50
    assert result["media"]["sample_rate"] is None
    with_sound = _clip(servers, seconds=1.0)
    is_error, result = servers.call(
        "video_slowmo", "slowmo", {"uri": with_sound, "factor": 0.5, "audio": "mute"}
    )
    assert not is_error and result["audio"] == "muted" and result["media"]["sample_rate"] is None


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ({"factor": 0}, "factor_out_of_range"),
        ({"factor": -0.5}, "factor_out_of_range"),
        ({"factor": 1.5}, "factor_out_of_range"),
        ({"factor": 0.01}, "factor_out_of_range"),
        ({"factor": 0.5, "start_s": 0.8, "end_s": 0.2}, "range_invalid"),
        ({"factor": 0.5, "end_s": 9.0}, "range_invalid"),
        ({"factor": 0.5, "fps": 1000}, "invalid_input"),
        ({"factor": 0.5, "filename": "../x.mp4"}, "invalid_identifier"),
    ],
    ids=["zero", "negative", "above_one", "below_limit", "reversed", "past_end", "fps", "filename"],
)
def test_bad_arguments_are_coded_errors_that_leave_nothing(
    servers: VideoServers, args: dict[str, Any], code: str
) -> None:
    uri = _clip(servers, seconds=1.0)
    before = servers.store.list(servers.scope)
    for tool in ("slowmo", "submit_slowmo"):  # a job is refused before it exists
        is_error, result = servers.call("video_slowmo", tool, {"uri": uri, **args})
        assert is_error, (tool, result)
        error = result["error"]
        assert error["code"] == code and error["hint"], error
    assert servers.store.list(servers.scope) == before
    assert servers.leftovers() == []


def test_a_sound_file_is_refused_as_having_no_video(servers: VideoServers) -> None:
    from tests.media_samples import write_tone_wav

    tone = servers.register(write_tone_wav(servers.media / "tone.wav"))
    is_error, result = servers.call("video_slowmo", "slowmo", {"uri": tone})
    assert is_error and result["error"]["code"] == "no_video_stream" and result["error"]["hint"]
