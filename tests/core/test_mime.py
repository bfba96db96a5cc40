"""Content-based media types on real files made with ffmpeg."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from core.ffmpeg.runner import ffmpeg_binary
from core.media.mime import canonical_mime, detect_mime, is_media_mime

VIDEO = ["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10:duration=1", "-c:v", "mpeg4"]
AUDIO = ["-f", "lavfi", "-i", "sine=duration=1"]
IMAGE = ["-f", "lavfi", "-i", "testsrc2=size=64x48", "-frames:v", "1"]


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("clip.mp4", VIDEO, "video/mp4"),
        ("clip.mkv", VIDEO, "video/matroska"),
        ("clip.mov", VIDEO, "video/quicktime"),
        ("clip.avi", VIDEO, "video/x-msvideo"),
        ("tone.wav", AUDIO, "audio/wav"),
        ("tone.flac", [*AUDIO, "-c:a", "flac"], "audio/flac"),
        ("tone.ogg", [*AUDIO, "-c:a", "flac"], "audio/ogg"),
        ("frame.png", IMAGE, "image/png"),
        ("frame.jpg", IMAGE, "image/jpeg"),
        ("frame.bmp", IMAGE, "image/bmp"),
    ],
)
def test_detects_the_canonical_type_from_content(
    tmp_path: Path, name: str, args: list[str], expected: str
) -> None:
    made = tmp_path / name
    subprocess.run([ffmpeg_binary(), "-hide_banner", "-loglevel", "error", *args, str(made)], check=True)
    renamed = made.rename(tmp_path / "no-extension")

    assert detect_mime(renamed) == expected
    assert is_media_mime(detect_mime(renamed))


def test_reads_only_the_first_8_kib(tmp_path: Path) -> None:
    png_signature = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    padded = tmp_path / "padded"
    padded.write_bytes(png_signature + bytes(1 << 20))

    assert detect_mime(padded) == "image/png"


@pytest.mark.parametrize("content", [b"", b"just some words\n", bytes(100)])
def test_unrecognised_content_has_no_type(tmp_path: Path, content: bytes) -> None:
    unknown = tmp_path / "unknown"
    unknown.write_bytes(content)

    assert detect_mime(unknown) is None


def test_a_missing_file_raises_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        detect_mime(tmp_path / "missing")


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("audio/x-wav", "audio/wav"),
        ("Audio/WAVE", "audio/wav"),
        ("audio/x-flac", "audio/flac"),
        ("audio/mp3", "audio/mpeg"),
        ("video/x-matroska", "video/matroska"),
        ("video/x-m4v", "video/mp4"),
        ("image/jpg", "image/jpeg"),
        ("image/x-icon", "image/vnd.microsoft.icon"),
        ("video/mp4; codecs=avc1", "video/mp4"),
        ("application/pdf", "application/pdf"),
    ],
)
def test_aliases_map_to_one_canonical_name(alias: str, canonical: str) -> None:
    assert canonical_mime(alias) == canonical


@pytest.mark.parametrize(
    ("mime", "media"),
    [
        ("audio/wav", True),
        ("video/webm", True),
        ("image/png", True),
        ("audio/x-wav", True),
        ("VIDEO/MP4; codecs=avc1", True),
        ("application/pdf", False),
        ("text/plain", False),
        ("audio", False),
        ("video/", False),
        ("", False),
        (None, False),
    ],
)
def test_is_media_mime_accepts_audio_video_and_image_only(mime: str | None, media: bool) -> None:
    assert is_media_mime(mime) is media
