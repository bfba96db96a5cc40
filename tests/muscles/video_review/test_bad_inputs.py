"""Bad calls get coded errors that name the bad value, store nothing and leave nothing behind."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from core.ffmpeg import ffmpeg_binary
from tests.media_samples import write_colour_shots, write_tone_wav
from tests.muscles.video_review.conftest import ReviewServer
from tests.muscles.video_review.test_pictures import call


@pytest.fixture
def shots_uri(review_server: ReviewServer) -> str:
    return review_server.register(write_colour_shots(review_server.media / "shots.mp4")).uri  # 4.0 s


def _error(server: ReviewServer, tool: str, args: dict[str, Any]) -> dict[str, Any]:
    is_error, content = call(server, tool, args)
    assert is_error, content
    error: dict[str, Any] = content["error"]
    assert error["hint"]
    return error


@pytest.mark.parametrize(
    ("tool", "args", "code", "value"),
    [
        ("thumbnail", {"time_s": 4.0}, "time_out_of_range", 4.0),
        ("thumbnail", {"time_s": 99}, "time_out_of_range", 99),
        ("thumbnail", {"time_s": -0.5}, "time_out_of_range", -0.5),
        ("thumbnail", {"width": 8}, "invalid_input", 8),
        ("contact_sheet", {"times_s": [1.0, 4.5]}, "time_out_of_range", 4.5),
        ("contact_sheet", {"rows": 0}, "grid_invalid", 0),
        ("contact_sheet", {"cols": 11}, "grid_invalid", 11),
        ("contact_sheet", {"tile_width": 4000}, "grid_invalid", 4000),
        ("contact_sheet", {"rows": 1, "cols": 2, "times_s": [0.1, 0.2, 0.3]}, "grid_invalid", 3),
        ("contact_sheet", {"times_s": []}, "grid_invalid", 0),
        ("detect_scenes", {"threshold": 0.0}, "invalid_input", 0.0),
        ("detect_scenes", {"min_scene_s": -1}, "invalid_input", -1),
    ],
)
def test_bad_times_and_grids_are_refused_with_codes(
    review_server: ReviewServer, shots_uri: str, tool: str, args: dict[str, Any], code: str, value: object
) -> None:
    error = _error(review_server, tool, {"uri": shots_uri, **args})
    assert (error["code"], error["value"]) == (code, value)
    stored = [ref.filename for ref in review_server.store.list(review_server.scope)]
    assert stored == ["shots.mp4"]  # nothing stored for a refused call
    assert review_server.leftovers() == []


def test_the_field_of_a_bad_time_in_a_list_is_named(review_server: ReviewServer, shots_uri: str) -> None:
    error = _error(review_server, "contact_sheet", {"uri": shots_uri, "times_s": [1.0, 4.5]})
    assert error["details"]["field"] == "times_s.1" and error["details"]["duration_s"] == 4.0


def _still(path: Path) -> Path:
    subprocess.run(
        [
            ffmpeg_binary(),
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "color=c=red:s=32x32",
            "-frames:v",
            "1",
            str(path),
        ],
        check=True,
    )
    return path


@pytest.mark.parametrize("tool", ["thumbnail", "contact_sheet", "detect_scenes"])
def test_sound_and_still_images_are_not_video(review_server: ReviewServer, tool: str) -> None:
    server = review_server
    tone = server.register(write_tone_wav(server.media / "tone.wav"))
    still = server.register(_still(server.media / "still.png"))
    for uri in (tone.uri, still.uri):
        error = _error(server, tool, {"uri": uri})
        assert error["code"] == "no_video_stream" and error["details"]["uri"] == uri
    missing = _error(server, tool, {"uri": "atoms://media/" + "0" * 32 + "/gone.mp4"})
    assert missing["code"] == "asset_not_found"
    assert server.leftovers() == []
