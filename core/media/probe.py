"""What a media file holds: format, duration, streams. ffprobe when present, else ffmpeg.

The imageio-ffmpeg wheel ships ffmpeg without ffprobe, so without a system ffprobe the
probe reads the banner ``ffmpeg -i`` prints. Both paths fill the same :class:`MediaInfo`
for the same file; to make that hold, values are normalised to what both can see:

- ``duration_s`` is rounded to 10 ms, the precision of ffmpeg's banner;
- ``fps`` is the average frame rate (else the base rate ``tbr``) to two decimals, as the
  banner prints it, except that the NTSC rates (30000/1001 and kin) stay exact;
- ``frame_count`` is the container's count of video frames; where a container declares
  none (Matroska, WebM), and always on the fallback path, the packets of the first video
  stream are counted by demuxing the file (no decoding, but one full read);
- a still image (image2 and ``*_pipe`` formats) has no duration, fps or frame count.

Both paths run the same steps (:func:`_probe_steps`, a generator that yields each command
it needs and receives its output); :func:`probe` and :func:`probe_sync` only run them. The
outputs are read by :mod:`core._probe_ffprobe` and :mod:`core._probe_banner` into one
parsed form (:mod:`core._probe_model`).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import anyio

from core._scrub import scrub_paths
from core.errors import AtomsError, ConfigError, MediaUnreadable
from core.ffmpeg._inputs import container_refused, guard_options, is_single_file, refused_container
from core.ffmpeg.runner import ffmpeg_binary, ffprobe_binary
from core.media._probe_banner import last_frame_counter, parse_banner
from core.media._probe_ffprobe import counted_packets, parse_ffprobe
from core.media._probe_model import Parsed, Stream
from core.media.info import MediaInfo

__all__ = ["MediaInfo", "probe", "probe_sync"]

_PROBE_TIMEOUT_S: Final = 120.0
# ffmpeg's text-art demuxers (ANSI, BinText, XBin, ArtWorx, iCEDraw) claim plain text
# files, .txt and .nfo above all, as "video": a text file is never media here.
_TEXT_FORMATS: Final = frozenset({"tty", "bin", "xbin", "adf", "idf"})
# Probing reads the one file only: playlists and other indirection formats are refused
# before they open anything they name (see core._ffmpeg_inputs).
# The text-art demuxers read their one file too: letting them probe is what tells a text file
# ("text, not media") from a playlist.
_GUARD: Final = tuple(guard_options(None, also=_TEXT_FORMATS))


async def probe(path: Path, *, search_path: str | None = None) -> MediaInfo:
    """Probe ``path``; raise MediaUnreadable when it is not decodable audio, video or image.

    ``search_path`` replaces PATH when looking up ffprobe and ffmpeg.
    """
    steps = _probe_steps(path, search_path)
    argv = next(steps)
    while True:
        completed = await _run_async(argv, path)
        try:
            argv = steps.send(completed)
        except StopIteration as stop:
            info: MediaInfo = stop.value
            return info


def probe_sync(path: Path, *, search_path: str | None = None) -> MediaInfo:
    """Blocking :func:`probe`, for worker threads and jobs."""
    steps = _probe_steps(path, search_path)
    argv = next(steps)
    while True:
        completed = _run_sync(argv, path)
        try:
            argv = steps.send(completed)
        except StopIteration as stop:
            info: MediaInfo = stop.value
            return info


# --- running ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Completed:
    returncode: int
    stdout: str
    stderr: str


async def _run_async(argv: list[str], path: Path) -> _Completed:
    try:
        with anyio.fail_after(_PROBE_TIMEOUT_S):
            # run_process kills the child if this call is cancelled.
            done = await anyio.run_process(argv, stdin=subprocess.DEVNULL, check=False)
    except TimeoutError:
        raise _timed_out(path) from None
    except OSError as exc:
        raise _cannot_run(argv, exc) from exc
    return _Completed(done.returncode, _text(done.stdout), _text(done.stderr))


def _run_sync(argv: list[str], path: Path) -> _Completed:
    try:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=_PROBE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise _timed_out(path) from None
    except OSError as exc:
        raise _cannot_run(argv, exc) from exc
    return _Completed(done.returncode, _text(done.stdout), _text(done.stderr))


def _text(raw: bytes | None) -> str:
    return (raw or b"").decode("utf-8", errors="replace")


def _cannot_run(argv: list[str], exc: OSError) -> ConfigError:
    # Not the file's fault: the server's ffprobe/ffmpeg is missing or not executable.
    return ConfigError(
        f"could not run {Path(argv[0]).name}: {exc.strerror or exc}",
        value=argv[0],
        hint="Install ffmpeg (with ffprobe) on PATH, or reinstall the imageio-ffmpeg wheel.",
    )


def _timed_out(path: Path) -> MediaUnreadable:
    return MediaUnreadable(
        f"probing took longer than {_PROBE_TIMEOUT_S:.0f} s",
        value=path.name,
        hint="Probe a regular file on local disk; pipes and stalled network mounts never finish.",
    )


# --- the steps both runners share -------------------------------------------------------


_Steps = Generator[list[str], _Completed, MediaInfo]


def _probe_steps(path: Path, search_path: str | None) -> _Steps:
    _check_file(path)
    # "file:" and an absolute path: a name starting with "-" or holding "proto:" is never
    # read as an option or another protocol.
    target = f"file:{path.absolute()}"
    ffprobe = ffprobe_binary(search_path)
    if ffprobe is None:
        # One pass: the banner describes the input, and stream-copying the first video
        # stream (V: cover art excluded) to the null muxer counts its frames.
        ffmpeg = [ffmpeg_binary(search_path), "-hide_banner", "-nostdin", *_GUARD, "-i", target]
        done = yield [*ffmpeg, "-map", "0:V:0?", "-c", "copy", "-f", "null", "-"]
        banner = parse_banner(done.stderr)
        if banner is None:
            raise _unreadable(done.stderr, path)
        return _assemble(_checked(banner, path), last_frame_counter(done.stderr))
    done = yield [
        ffprobe,
        "-v",
        "error",
        *_GUARD,
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        target,
    ]
    if done.returncode != 0:
        raise _unreadable(done.stderr, path)
    found = parse_ffprobe(done.stdout)
    if found is None:
        raise _unreadable("", path)
    parsed = _checked(found, path)
    counted = None
    if _needs_count(parsed):
        done = yield [
            *(ffprobe, "-v", "error", *_GUARD, "-select_streams", "V:0", "-count_packets"),
            *("-show_entries", "stream=nb_read_packets", "-print_format", "json", target),
        ]
        counted = counted_packets(done.stdout)
    return _assemble(parsed, counted)


def _check_file(path: Path) -> None:
    if not path.is_file():
        raise MediaUnreadable(
            "no such file", value=path.name, hint="Check the path; the file may have moved."
        )
    if path.stat().st_size == 0:
        raise MediaUnreadable(
            "the file is empty", value=path.name, hint="Re-upload the file; no bytes arrived."
        )


def _checked(parsed: Parsed, path: Path) -> Parsed:
    """``parsed`` unless ffmpeg's guess is no media at all (text, subtitles, data)."""
    details = {"format_name": parsed.format_name}
    if set(parsed.format_name.split(",")) & _TEXT_FORMATS:
        raise _text_not_media(path, parsed.format_name)
    if not is_single_file(parsed.format_name):
        raise container_refused(parsed.format_name, path.name)
    if not any(stream.kind in ("audio", "video") for stream in parsed.streams):
        raise MediaUnreadable(
            "the file has no audio or video stream",
            value=path.name,
            hint="Subtitle-only or data-only files cannot be used as media; send the audio or video itself.",
            details=details,
        )
    return parsed


def _text_not_media(path: Path, format_name: str) -> MediaUnreadable:
    return MediaUnreadable(
        "the file is text, not media",
        value=path.name,
        hint="Send an audio, video or image file (for example MP4, WAV, MP3, PNG).",
        details={"format_name": format_name},
    )


def _assemble(parsed: Parsed, counted_frames: int | None) -> MediaInfo:
    video = _first_video(parsed)
    audio = next((s for s in parsed.streams if s.kind == "audio"), None)
    moving = video is not None and not _is_still(parsed)
    return MediaInfo(
        format_name=parsed.format_name,
        duration_s=None
        if _is_still(parsed) or parsed.duration_centis is None
        else parsed.duration_centis / 100,
        has_video=video is not None,
        has_audio=audio is not None,
        width=video.width if video else None,
        height=video.height if video else None,
        fps=video.fps if video and moving else None,
        sample_rate=audio.sample_rate if audio else None,
        channels=audio.channels if audio else None,
        video_codec=video.codec if video else None,
        audio_codec=audio.codec if audio else None,
        frame_count=(video.declared_frames or counted_frames) if video and moving else None,
    )


def _first_video(parsed: Parsed) -> Stream | None:
    return next((s for s in parsed.streams if s.kind == "video" and not s.attached_pic), None)


def _is_still(parsed: Parsed) -> bool:
    return any(name == "image2" or name.endswith("_pipe") for name in parsed.format_name.split(","))


def _needs_count(parsed: Parsed) -> bool:
    video = _first_video(parsed)
    return video is not None and video.declared_frames is None and not _is_still(parsed)


def _unreadable(stderr: str, path: Path) -> AtomsError:
    """MediaUnreadable with ffmpeg's own words, the server's paths replaced by the file name."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    # Pointer values ("[mov,mp4 @ 0x55d1...]") differ on every run and mean nothing to a client.
    text = re.sub(r" @ 0x[0-9a-f]+\]", "]", "\n".join(lines[-5:]))
    text = scrub_paths(text, [path])
    refused = refused_container(stderr)
    if refused is not None and not set(refused.split(",")) & _TEXT_FORMATS:
        return container_refused(refused, path.name)
    if refused is not None:
        return _text_not_media(path, refused)
    details = {"ffmpeg_message": text} if text else None
    if "moov atom not found" in stderr:
        return MediaUnreadable(
            "the file is truncated: its MP4/MOV index (moov atom) is missing",
            value=path.name,
            hint="The upload or the recording did not finish; re-export or re-upload the complete file.",
            details=details,
        )
    if "Invalid data found when processing input" in stderr:
        return MediaUnreadable(
            "the file is not in any audio, video or image format ffmpeg reads",
            value=path.name,
            hint="Send an audio, video or image file (for example MP4, WAV, MP3, PNG); if it is one, "
            "it is corrupt: re-export or re-upload it.",
            details=details,
        )
    return MediaUnreadable("ffmpeg could not read the file", value=path.name, details=details)
