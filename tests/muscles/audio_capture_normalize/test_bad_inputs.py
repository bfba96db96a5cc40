"""Bad input comes back as a coded error with the value and a hint, and leaves nothing behind."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.media_samples import write_test_video, write_truncated
from tests.muscles.transcriber.conftest import AudioServer, call
from tests.speech_samples import write_silence_wav

pytestmark = pytest.mark.anyio

Setup = Callable[[AudioServer, Path], dict[str, object]]


def _missing_asset(server: AudioServer, tmp: Path) -> dict[str, object]:
    return {"uri": "atoms://media/0123456789abcdef0123456789abcdef/gone.wav"}


def _text_file_as_audio(server: AudioServer, tmp: Path) -> dict[str, object]:
    text = tmp / "notes.wav"
    text.write_text("plain text that claims to be a recording\n" * 20)
    return {"uri": server.put_raw(text)}


def _truncated_mp4(server: AudioServer, tmp: Path) -> dict[str, object]:
    full = write_test_video(tmp / "full.mp4", seconds=1.0)
    return {"uri": server.put_raw(write_truncated(full, tmp / "broken.mp4", keep=0.4))}


def _silent_audio(server: AudioServer, tmp: Path) -> dict[str, object]:
    return {"uri": server.register(write_silence_wav(tmp / "silence.wav")).uri}


def _target_out_of_range(server: AudioServer, tmp: Path) -> dict[str, object]:
    return {"uri": server.register(write_silence_wav(tmp / "silence.wav")).uri, "integrated_lufs": -3.0}


def _sample_rate_out_of_range(server: AudioServer, tmp: Path) -> dict[str, object]:
    return {"uri": server.register(write_silence_wav(tmp / "silence.wav")).uri, "sample_rate": 100}


CASES: list[tuple[str, Setup, str]] = [
    ("missing asset", _missing_asset, "asset_not_found"),
    ("text file as audio", _text_file_as_audio, "not_media"),
    ("truncated mp4", _truncated_mp4, "media_unreadable"),
    ("silent audio", _silent_audio, "silent_audio"),
    ("target out of range", _target_out_of_range, "invalid_input"),
    ("sample rate out of range", _sample_rate_out_of_range, "invalid_input"),
]


@pytest.mark.parametrize(("setup", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
async def test_bad_input_is_a_coded_error_and_leaves_nothing(
    normalizer: AudioServer, tmp_path: Path, setup: Setup, code: str
) -> None:
    arguments = setup(normalizer, tmp_path)
    before = normalizer.asset_names()
    async with normalizer.client() as client:
        is_error, content = await call(client, "normalize", arguments)
    assert is_error, content
    error = content["error"]
    assert error["code"] == code, error
    assert error["hint"] and "value" in error, error
    assert normalizer.asset_names() == before
    assert normalizer.leftovers() == []
