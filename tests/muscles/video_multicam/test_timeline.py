"""The synced timeline is one call away from a render: video_timeline accepts it, and in the
MP4 video_render makes each recorder's sound lines up with the camera's to a millisecond."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import numpy as np

from core.ffmpeg.runner import ffmpeg_binary
from muscles.video.video_multicam.correlate import match

from .conftest import MulticamServer
from .scene import Audio, Take

RATE = 8000


def _sound(path: Path) -> np.ndarray:
    raw = subprocess.run(
        [
            ffmpeg_binary(),
            "-v",
            "error",
            "-i",
            str(path),
            "-map",
            "0:a:0",
            "-ac",
            "1",
            "-ar",
            str(RATE),
            "-f",
            "f32le",
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, dtype="<f4")


def _only(timeline: dict[str, Any], track_id: str) -> dict[str, Any]:
    """The timeline with every track's sound muted but ``track_id``'s."""
    tracks = [{**track, "muted": track["id"] != track_id} for track in timeline["tracks"]]
    return {**timeline, "tracks": tracks, "output": {"preset": "ultrafast"}}


def test_the_synced_timeline_renders_with_every_recording_in_line(
    multicam: MulticamServer, scene_audio: Audio
) -> None:
    camera = multicam.store_take(scene_audio, Take(start_s=4.0, seconds=8.0), "camera.mp4")
    early = multicam.store_take(
        scene_audio, Take(start_s=3.5, seconds=7.0, rate=44100, gain=0.5), "early.wav"
    )
    late = multicam.store_take(
        scene_audio, Take(start_s=5.234, seconds=6.0, rate=32000, gain=2.0), "late.wav"
    )
    is_error, synced = multicam.call("video_multicam", "align", {"uris": [camera, early, late]})
    assert not is_error, synced
    timeline = synced["timeline"]
    assert [track["kind"] for track in timeline["tracks"]] == ["video", "audio", "audio"]
    clips = {track["id"]: track["clips"][0] for track in timeline["tracks"]}
    # The early recorder is cut at its head (the timeline starts with the camera); the late one waits.
    assert abs(clips["sound1"]["source_in_s"] - 0.5) < 1e-3 and clips["sound1"]["start_s"] == 0.0
    assert abs(clips["sound2"]["start_s"] - 1.234) < 1e-3 and clips["sound2"]["source_in_s"] == 0.0
    is_error, report = multicam.call("video_timeline", "validate", {"timeline": timeline})
    assert not is_error and report["valid"], report
    reference = _sound(multicam.media / "camera.mp4")
    for track_id in ("sound1", "sound2"):
        is_error, rendered = multicam.call("video_render", "render", {"timeline": _only(timeline, track_id)})
        assert not is_error, rendered
        path = multicam.media / f"render-{track_id}.mp4"
        multicam.store.materialize(multicam.scope, rendered["media"]["uri"], path)
        found = match(reference, _sound(path), RATE, max_offset_s=0.1)
        assert found is not None and abs(found.offset_s) < 1e-3 and found.z > 10, (track_id, found)
