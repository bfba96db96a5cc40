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
it needs and receives its output); :func:`probe` and :func:`probe_sync` only run them.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Generator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any, Final

import anyio

from core.errors import ConfigError, MediaUnreadable
from core.ffmpeg import ffmpeg_binary, ffprobe_binary

__all__ = ["MediaInfo", "probe", "probe_sync"]

_PROBE_TIMEOUT_S: Final = 120.0
# ffmpeg's text-art demuxers (ANSI, BinText, XBin, ArtWorx, iCEDraw) claim plain text
# files, .txt and .nfo above all, as "video": a text file is never media here.
_TEXT_FORMATS: Final = frozenset({"tty", "bin", "xbin", "adf", "idf"})
_NAMED_LAYOUTS: Final = {
    "mono": 1,
    "stereo": 2,
    "downmix": 2,
    "binaural": 2,
    "quad": 4,
    "hexagonal": 6,
    "octagonal": 8,
    "cube": 8,
    "hexadecagonal": 16,
}


@dataclass(frozen=True)
class MediaInfo:
    """What a probe found about one file.

    Video fields describe its first video stream (cover art does not count), audio fields
    its first audio stream.
    """

    format_name: str
    duration_s: float | None
    has_video: bool
    has_audio: bool
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    sample_rate: int | None = None
    channels: int | None = None
    video_codec: str | None = None
    audio_codec: str | None = None
    frame_count: int | None = None


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


@dataclass(frozen=True)
class _Stream:
    kind: str
    codec: str | None
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    sample_rate: int | None = None
    channels: int | None = None
    attached_pic: bool = False
    declared_frames: int | None = None


@dataclass(frozen=True)
class _Parsed:
    format_name: str
    duration_centis: int | None
    streams: list[_Stream]


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
        ffmpeg = [ffmpeg_binary(search_path), "-hide_banner", "-nostdin", "-i", target]
        done = yield [*ffmpeg, "-map", "0:V:0?", "-c", "copy", "-f", "null", "-"]
        parsed = _checked(_parse_banner(done.stderr, path), path)
        return _assemble(parsed, _last_frame_counter(done.stderr))
    done = yield [ffprobe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", target]
    if done.returncode != 0:
        raise _unreadable(done.stderr, path)
    parsed = _checked(_parse_ffprobe(done.stdout, path), path)
    counted = None
    if _needs_count(parsed):
        done = yield [
            *(ffprobe, "-v", "error", "-select_streams", "V:0", "-count_packets"),
            *("-show_entries", "stream=nb_read_packets", "-print_format", "json", target),
        ]
        counted = _int((_json(done.stdout).get("streams") or [{}])[0].get("nb_read_packets"))
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


def _checked(parsed: _Parsed, path: Path) -> _Parsed:
    """``parsed`` unless ffmpeg's guess is no media at all (text, subtitles, data)."""
    details = {"format_name": parsed.format_name}
    if set(parsed.format_name.split(",")) & _TEXT_FORMATS:
        raise MediaUnreadable(
            "the file is text, not media",
            value=path.name,
            hint="Send an audio, video or image file (for example MP4, WAV, MP3, PNG).",
            details=details,
        )
    if not any(stream.kind in ("audio", "video") for stream in parsed.streams):
        raise MediaUnreadable(
            "the file has no audio or video stream",
            value=path.name,
            hint="Subtitle-only or data-only files cannot be used as media; send the audio or video itself.",
            details=details,
        )
    return parsed


def _assemble(parsed: _Parsed, counted_frames: int | None) -> MediaInfo:
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


def _first_video(parsed: _Parsed) -> _Stream | None:
    return next((s for s in parsed.streams if s.kind == "video" and not s.attached_pic), None)


def _is_still(parsed: _Parsed) -> bool:
    return any(name == "image2" or name.endswith("_pipe") for name in parsed.format_name.split(","))


def _needs_count(parsed: _Parsed) -> bool:
    video = _first_video(parsed)
    return video is not None and video.declared_frames is None and not _is_still(parsed)


def _normalise_fps(rate: float) -> float | None:
    """Two decimals, as ffmpeg's banner prints them; NTSC rates (n*1000/1001) stay exact."""
    if rate <= 0:
        return None
    rounded = round(rate, 2)
    ntsc = round(rounded * 1.001) * 1000 / 1001
    return ntsc if rounded != int(rounded) and abs(ntsc - rounded) < 0.005 else rounded


def _centis(microseconds: int) -> int:
    # ffmpeg's banner adds 5000 us and truncates: round half up to 10 ms.
    return (microseconds + 5000) // 10_000


def _int(raw: object) -> int | None:
    try:
        value = int(str(raw))
    except ValueError:
        return None
    return value if value > 0 else None


# --- ffprobe's JSON ---------------------------------------------------------------------


def _json(stdout: str) -> dict[str, Any]:
    try:
        data = json.loads(stdout)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _parse_ffprobe(stdout: str, path: Path) -> _Parsed:
    data = _json(stdout)
    fmt = data.get("format") or {}
    if not fmt.get("format_name"):
        raise _unreadable("", path)
    try:
        duration = _centis(int(Decimal(fmt["duration"]) * 1_000_000))
    except (KeyError, InvalidOperation):  # "N/A" or absent (still images, raw streams)
        duration = None
    return _Parsed(fmt["format_name"], duration, [_ffprobe_stream(s) for s in data.get("streams") or []])


def _ffprobe_stream(raw: dict[str, Any]) -> _Stream:
    rate = _fraction(raw.get("avg_frame_rate")) or _fraction(raw.get("r_frame_rate"))
    return _Stream(
        kind=str(raw.get("codec_type", "")),
        codec=raw.get("codec_name"),
        width=_int(raw.get("width")),
        height=_int(raw.get("height")),
        fps=_normalise_fps(float(rate)) if rate else None,
        sample_rate=_int(raw.get("sample_rate")),
        channels=_int(raw.get("channels")),
        attached_pic=(raw.get("disposition") or {}).get("attached_pic") == 1,
        declared_frames=_int(raw.get("nb_frames")),
    )


def _fraction(raw: object) -> Fraction | None:
    # ffprobe writes "0/0" for an unknown rate.
    num, _, den = str(raw).partition("/")
    if not (num.isdigit() and den.isdigit()) or int(num) == 0 or int(den) == 0:
        return None
    return Fraction(int(num), int(den))


# --- ffmpeg's banner (no ffprobe) -------------------------------------------------------

_INPUT = re.compile(r"Input #0, (.+?), from '")
_DURATION = re.compile(r"\s+Duration: (?:N/A|(\d+):(\d{2}):(\d{2})\.(\d{2}))")
_STREAM = re.compile(r"\s+Stream #0:(\d+)(?:\[\w+\])?(?:\([^)]*\))?: (\w+): (.*)")
_RATE = re.compile(r"(\d+(?:\.\d+)?)(k?) (fps|tbr)")
_FRAME_COUNTER = re.compile(r"frame=\s*(\d+)")


def _parse_banner(stderr: str, path: Path) -> _Parsed:
    lines = re.split(r"\r\n|\r|\n", stderr)
    start = next((i for i, line in enumerate(lines) if _INPUT.match(line)), None)
    if start is None:
        raise _unreadable(stderr, path)
    match = _INPUT.match(lines[start])
    assert match is not None
    duration: int | None = None
    streams: dict[int, _Stream] = {}
    # The input's section is the indented block under "Input #0"; what follows (Output #0,
    # Stream mapping) describes the null output and must not be mistaken for it.
    for line in lines[start + 1 :]:
        if not line.startswith(" "):
            break
        if found := _DURATION.match(line):
            duration = _banner_centis(found.groups())
        elif found := _STREAM.match(line):
            # Programs (MPEG-TS) may list a stream twice: the first mention is enough.
            streams.setdefault(int(found.group(1)), _banner_stream(found.group(2).lower(), found.group(3)))
    return _Parsed(match.group(1), duration, [streams[index] for index in sorted(streams)])


def _banner_centis(groups: tuple[str | None, ...]) -> int | None:
    if groups[0] is None:  # "Duration: N/A"
        return None
    hours, minutes, seconds, centis = (int(g or 0) for g in groups)
    return ((hours * 60 + minutes) * 60 + seconds) * 100 + centis


def _banner_stream(kind: str, description: str) -> _Stream:
    """One ``Stream #0:N: Kind: codec (profile), pix_fmt, WxH [SAR], 25 fps, ...`` line."""
    segments = _split_top_level(description)
    codec = segments[0].split()[0] if segments and segments[0] else None
    width = height = sample_rate = channels = None
    rates: dict[str, float] = {}
    for index, segment in enumerate(segments[1:], start=1):
        if width is None and (size := re.match(r"(\d+)x(\d+)(?:\s|$)", segment)):
            width, height = int(size.group(1)), int(size.group(2))
        elif found := _RATE.fullmatch(segment.split(" (")[0]):
            rates.setdefault(found.group(3), float(found.group(1)) * (1000 if found.group(2) else 1))
        elif hz := re.fullmatch(r"(\d+) Hz", segment):
            sample_rate = int(hz.group(1))
            # The channel layout always follows the sample rate.
            channels = _layout_channels(segments[index + 1]) if index + 1 < len(segments) else None
    rate = rates.get("fps") or rates.get("tbr")
    return _Stream(
        kind=kind,
        codec=codec,
        width=width,
        height=height,
        fps=_normalise_fps(rate) if rate else None,
        sample_rate=sample_rate,
        channels=channels,
        attached_pic="(attached pic)" in description,
    )


def _split_top_level(description: str) -> list[str]:
    """Split on ", " outside brackets: "yuv420p(tv, bt709)" is one segment."""
    segments, depth, current = [], 0, ""
    for char in description:
        depth += (char in "([") - (char in ")]")
        if char == "," and depth == 0:
            segments.append(current.strip())
            current = ""
        else:
            current += char
    segments.append(current.strip())
    return segments


def _layout_channels(layout: str) -> int | None:
    """Channels of a layout name as ffmpeg prints it: "stereo", "5.1(side)", "7.1.4", "3 channels"."""
    name = layout.split("(")[0].strip()
    if count := re.fullmatch(r"(\d+) channels", layout.split(" (")[0]):
        return int(count.group(1))
    if re.fullmatch(r"\d+(?:\.\d+)+", name):
        return sum(int(part) for part in name.split("."))
    if "+" in name:  # a custom order such as "FL+FR+LFE"
        return len(name.split("+"))
    return _NAMED_LAYOUTS.get(name)


def _last_frame_counter(stderr: str) -> int | None:
    counters = _FRAME_COUNTER.findall(stderr)
    return _int(counters[-1]) if counters else None


def _unreadable(stderr: str, path: Path) -> MediaUnreadable:
    """MediaUnreadable with ffmpeg's own words, the server's paths replaced by the file name."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    # Pointer values ("[mov,mp4 @ 0x55d1...]") differ on every run and mean nothing to a client.
    text = re.sub(r" @ 0x[0-9a-f]+\]", "]", "\n".join(lines[-5:]))
    for shown in (f"file:{path.absolute()}", str(path.absolute()), str(path)):
        text = text.replace(shown, path.name)
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
