"""Bad input comes back as a tool error with a stable code, the offending value and a hint,
and leaves nothing behind: no new asset, no file in the work directory."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from core.ffmpeg.runner import ffmpeg_binary
from tests.media_samples import write_test_video, write_truncated
from tests.muscles.transcriber.conftest import AudioServer, call
from tests.speech_samples import write_silence_wav

pytestmark = pytest.mark.anyio

Setup = Callable[[AudioServer, Path], dict[str, object]]


def _missing_asset(server: AudioServer, tmp: Path) -> dict[str, object]:
    return {"uri": "atoms://media/0123456789abcdef0123456789abcdef/gone.wav"}


def _not_a_uri(server: AudioServer, tmp: Path) -> dict[str, object]:
    return {"uri": "/etc/passwd"}


def _text_file_as_audio(server: AudioServer, tmp: Path) -> dict[str, object]:
    text = tmp / "notes.wav"
    text.write_text("plain text that claims to be a recording\n" * 20)
    return {"uri": server.put_raw(text)}


def _truncated_mp4(server: AudioServer, tmp: Path) -> dict[str, object]:
    full = write_test_video(tmp / "full.mp4", seconds=1.0)
    return {"uri": server.put_raw(write_truncated(full, tmp / "broken.mp4", keep=0.4))}


def _video_without_sound(server: AudioServer, tmp: Path) -> dict[str, object]:
    path = tmp / "mute.mp4"
    subprocess.run(
        [
            *(ffmpeg_binary(), "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=64x48:d=1"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)),
        ],
        check=True,
    )
    return {"uri": server.register(path).uri}


def _silent_audio(server: AudioServer, tmp: Path) -> dict[str, object]:
    return {"uri": server.register(write_silence_wav(tmp / "silence.wav")).uri}


def _beam_too_wide(server: AudioServer, tmp: Path) -> dict[str, object]:
    return {"uri": server.register(write_silence_wav(tmp / "silence.wav")).uri, "beam_size": 0}


CASES: list[tuple[str, Setup, str]] = [
    ("missing asset", _missing_asset, "asset_not_found"),
    ("not a media uri", _not_a_uri, "invalid_input"),
    ("text file as audio", _text_file_as_audio, "not_media"),
    ("truncated mp4", _truncated_mp4, "media_unreadable"),
    ("video without sound", _video_without_sound, "no_audio_stream"),
    ("silent audio", _silent_audio, "no_speech"),
    ("beam size 0", _beam_too_wide, "invalid_input"),
]


@pytest.mark.parametrize(("setup", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
async def test_bad_input_is_a_coded_error_and_leaves_nothing(
    transcriber: AudioServer, tmp_path: Path, setup: Setup, code: str
) -> None:
    arguments = setup(transcriber, tmp_path)
    before = transcriber.asset_names()
    async with transcriber.client() as client:
        is_error, content = await call(client, "transcribe", arguments)
    assert is_error, content
    error = content["error"]
    assert error["code"] == code, error
    assert error["hint"] and "value" in error, error
    assert "Traceback" not in str(error)
    assert transcriber.asset_names() == before
    assert transcriber.leftovers() == []


async def test_unknown_model_name_is_refused_without_any_download(
    make_transcriber: Callable[..., AudioServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATOMS_WHISPER_MODEL", "large-v9-nonexistent")  # how an operator sets it
    server = make_transcriber()
    uri = server.register(write_silence_wav(tmp_path / "silence.wav")).uri
    async with server.client() as client:
        is_error, content = await call(client, "transcribe", {"uri": uri})
    assert is_error
    error = content["error"]
    assert error["code"] == "model_not_found"
    assert error["value"] == "large-v9-nonexistent"
    assert "ATOMS_WHISPER_MODEL" in error["hint"] and "CTranslate2" in error["hint"]
    assert server.asset_names() == ["silence.wav"]
    assert server.leftovers() == []
