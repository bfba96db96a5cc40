"""Probing real media made at test time, through ffprobe and through the ffmpeg-only fallback."""

from __future__ import annotations

import json
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest

from core.errors import MediaUnreadable
from core.ffmpeg.runner import ffmpeg_binary, ffprobe_binary
from core.media.probe import MediaInfo, probe, probe_sync

MEDIA = ("clip.mp4", "ntsc.mkv", "tone.wav", "frame.png", "cover.flac")


def _ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder of small media (native encoders only, so any ffmpeg build can make them)."""
    root = tmp_path_factory.mktemp("media")
    testsrc, sine = "testsrc2=size=320x240:rate=25:duration=3", "sine=frequency=440:duration=3"
    _ffmpeg(
        "-f",
        "lavfi",
        "-i",
        testsrc,
        "-f",
        "lavfi",
        "-i",
        sine,
        "-c:v",
        "mpeg4",
        "-c:a",
        "aac",
        str(root / "clip.mp4"),
    )
    _ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=160x120:rate=30000/1001:duration=2",
        "-c:v",
        "mpeg4",
        str(root / "ntsc.mkv"),
    )
    _ffmpeg("-f", "lavfi", "-i", "sine=duration=1:sample_rate=48000", "-ac", "2", str(root / "tone.wav"))
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x48", "-frames:v", "1", str(root / "frame.png"))
    _ffmpeg(
        *("-f", "lavfi", "-i", "sine=duration=2", "-i", str(root / "frame.png")),
        *("-map", "0", "-map", "1", "-c:a", "flac", "-c:v", "copy", "-disposition:v", "attached_pic"),
        str(root / "cover.flac"),
    )  # fmt: skip
    # ffmpeg's text-art demuxer claims long .txt and any .nfo file as "video".
    (root / "notes.txt").write_text("lorem ipsum dolor sit amet " * 1000)
    (root / "art.nfo").write_text("release notes\n")
    (root / "subtitles.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\nhello\n")
    whole = (root / "clip.mp4").read_bytes()
    (root / "truncated.mp4").write_bytes(whole[: len(whole) // 2])  # the moov index is at the end
    (root / "empty.mp4").write_bytes(b"")
    return root


@pytest.fixture(scope="module", params=["imageio-ffmpeg", "system-ffmpeg"])
def fallback_path(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A search path with ffmpeg but no ffprobe: empty (imageio-ffmpeg's binary) or PATH's ffmpeg alone."""
    folder = tmp_path_factory.mktemp(request.param)
    if request.param == "system-ffmpeg":
        (folder / "ffmpeg").symlink_to(ffmpeg_binary())
    assert ffprobe_binary(str(folder)) is None
    return str(folder)


def test_probes_an_mp4s_duration_size_fps_frame_count_and_audio(media: Path) -> None:
    info = probe_sync(media / "clip.mp4")

    assert info.duration_s is not None and abs(info.duration_s - 3.0) <= 1 / 25
    assert (info.width, info.height, info.fps, info.frame_count) == (320, 240, 25.0, 75)
    assert (info.has_video, info.video_codec) == (True, "mpeg4")
    assert (info.has_audio, info.audio_codec, info.sample_rate, info.channels) == (True, "aac", 44100, 1)
    assert "mp4" in info.format_name.split(",")


def test_counts_frames_where_the_container_declares_none_and_keeps_ntsc_rates_exact(media: Path) -> None:
    info = probe_sync(media / "ntsc.mkv")

    assert info.fps == float(Fraction(30000, 1001))
    assert info.frame_count == 60
    assert info.has_audio is False


def test_probes_a_wavs_sample_rate_and_channels(media: Path) -> None:
    info = probe_sync(media / "tone.wav")

    assert info == MediaInfo(
        format_name="wav",
        duration_s=1.0,
        has_video=False,
        has_audio=True,
        sample_rate=48000,
        channels=2,
        audio_codec="pcm_s16le",
    )


def test_a_png_is_a_still_image_without_duration_fps_or_frame_count(media: Path) -> None:
    info = probe_sync(media / "frame.png")

    assert (info.has_video, info.width, info.height, info.video_codec) == (True, 64, 48, "png")
    assert (info.duration_s, info.fps, info.frame_count, info.has_audio) == (None, None, None, False)


def test_cover_art_does_not_count_as_video(media: Path) -> None:
    info = probe_sync(media / "cover.flac")

    assert (info.has_audio, info.audio_codec, info.duration_s) == (True, "flac", 2.0)
    assert (info.has_video, info.width, info.video_codec) == (False, None, None)


@pytest.mark.parametrize("name", MEDIA)
def test_the_fallback_parser_agrees_with_ffprobe(media: Path, fallback_path: str, name: str) -> None:
    if ffprobe_binary() is None:
        pytest.skip("no ffprobe on PATH to compare with")

    assert probe_sync(media / name, search_path=fallback_path) == probe_sync(media / name)


@pytest.mark.anyio
@pytest.mark.parametrize("name", MEDIA)
async def test_async_probe_agrees_with_probe_sync(media: Path, name: str) -> None:
    assert await probe(media / name) == probe_sync(media / name)


@pytest.mark.parametrize("via", ["ffprobe", "fallback"])
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("notes.txt", "text, not media"),
        ("art.nfo", "text, not media"),
        ("subtitles.srt", "no audio or video stream"),
        ("truncated.mp4", "truncated"),
        ("empty.mp4", "empty"),
        ("missing.mp4", "no such file"),
    ],
)
def test_what_is_not_decodable_media_raises_media_unreadable_with_a_hint(
    media: Path, fallback_path: str, via: str, name: str, message: str
) -> None:
    with pytest.raises(MediaUnreadable) as caught:
        probe_sync(media / name, search_path=fallback_path if via == "fallback" else None)

    wire = caught.value.to_dict()
    assert wire["code"] == "media_unreadable"
    assert message in wire["message"]
    assert wire["hint"] and wire["value"] == name
    assert str(media) not in json.dumps(wire), "the server's paths must not reach the client"


def test_a_file_ffmpeg_cannot_open_says_so_in_its_details(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.bin"
    bogus.write_bytes(bytes(range(256)) * 64)

    with pytest.raises(MediaUnreadable) as caught:
        probe_sync(bogus)

    assert "format ffmpeg reads" in caught.value.message
    assert "Invalid data" in caught.value.details["ffmpeg_message"]
