"""Bad calls to align are coded errors with a hint and the offending value, and leave nothing behind."""

from __future__ import annotations

from typing import Any

import pytest

from tests.media_samples import write_silent_video, write_tone_wav

from .conftest import MulticamServer

MISSING = "atoms://media/00000000000000000000000000000000/gone.wav"


@pytest.mark.parametrize(
    ("args", "code", "value"),
    [
        ({"uris": ["A"]}, "invalid_input", 1),
        ({"uris": ["A", "A"]}, "invalid_input", "A"),
        ({"uris": ["A", "B"], "reference": MISSING}, "invalid_input", MISSING),
        ({"uris": ["A", "B"], "max_offset_s": 0}, "invalid_input", 0),
        ({"uris": ["A", "B"], "min_confidence": -1}, "invalid_input", -1),
        ({"uris": ["A", MISSING]}, "asset_not_found", "uris.1"),  # opening names the argument
        ({"uris": ["A", "SILENT"]}, "no_audio_stream", "uris.1"),
    ],
    ids=["one", "twice", "reference", "max_offset", "confidence", "missing", "no_sound"],
)
def test_bad_calls_are_coded_errors(
    multicam: MulticamServer, args: dict[str, Any], code: str, value: object
) -> None:
    names = {
        "A": multicam.store.register_staged(
            multicam.scope, multicam.store.stage_local(write_tone_wav(multicam.media / "a.wav")), "a.wav"
        ).uri,
        "B": multicam.store.register_staged(
            multicam.scope,
            multicam.store.stage_local(write_tone_wav(multicam.media / "b.wav", freq=330.0)),
            "b.wav",
        ).uri,
        "SILENT": multicam.store.register_staged(
            multicam.scope,
            multicam.store.stage_local(write_silent_video(multicam.media / "silent.mp4", seconds=1.0)),
            "silent.mp4",
        ).uri,
    }
    request = {key: [names.get(u, u) for u in v] if key == "uris" else v for key, v in args.items()}
    is_error, result = multicam.call("video_multicam", "align", request)
    assert is_error, result
    error = result["error"]
    assert error["code"] == code and error["hint"], error
    assert error["value"] == (names.get(value, value) if isinstance(value, str) else value)
    assert multicam.leftovers() == []
