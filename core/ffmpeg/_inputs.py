"""What ffmpeg and ffprobe may read: exactly the one local file each input names.

Playlist and indirection formats (HLS, DASH, concat lists, IMF, image sequences, SDP) make
ffmpeg open further files or URLs named *inside* the input, so a small upload could make a
muscle read another tenant's media or the server's own files. Every input of every run gets:

- ``-protocol_whitelist file``: nothing but local files, however the input spells a URL;
- ``-format_whitelist``: the demuxer the input is pinned to (``-f``, from the probe recorded at
  registration), else :data:`SINGLE_FILE_DEMUXERS`, demuxers that read their one file only;
- its target as a ``file:`` URL of an absolute path, so no name is read as an option or as
  another protocol (``pipe:``, ``subfile,,...``, ``concat:``).

An input pinned to any other demuxer is refused, except graph sources a tool builds itself
(``-f lavfi``). :func:`harden_inputs` applies this to a whole argument list; the ffmpeg runner
and the probe call it, so every muscle, present and future, inherits it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from core.errors import ContainerNotAllowed, ContractViolation

__all__ = [
    "SINGLE_FILE_DEMUXERS",
    "container_refused",
    "demuxer_of",
    "file_url",
    "guard_options",
    "harden_inputs",
    "is_single_file",
    "pinned_input",
    "refused_container",
]

# ffmpeg's own demuxer names (the first name of each ``ffmpeg -demuxers`` entry). Each reads
# the bytes of its one input and nothing else: no playlists, manifests, references or
# filename patterns. SVG is left out (librsvg may load what the document links to).
SINGLE_FILE_DEMUXERS: Final = frozenset(
    {
        # video containers and elementary streams
        *("mov", "matroska", "avi", "mpegts", "mpeg", "flv", "ogg", "asf", "mxf", "nut", "ivf"),
        *("gif", "apng", "h264", "hevc", "m4v", "mjpeg", "dv", "obu", "av1", "rawvideo"),
        # audio
        *("wav", "w64", "mp3", "flac", "aac", "ac3", "eac3", "aiff", "caf", "amr", "amrnb", "amrwb"),
        *("dts", "dtshd", "truehd", "mlp", "wv", "ape", "tta", "au", "mpc", "mpc8", "tak", "loas"),
        *("dsf", "oma", "voc", "s16le", "f32le"),
        # still images, one file each
        *("png_pipe", "jpeg_pipe", "webp_pipe", "bmp_pipe", "tiff_pipe", "gif_pipe", "j2k_pipe"),
        *("psd_pipe", "qoi_pipe", "dpx_pipe", "exr_pipe", "ppm_pipe", "pgm_pipe", "pam_pipe"),
        *("pbm_pipe", "jpegxl_pipe", "sgi_pipe"),
        # subtitles (probed, and read by caption tools)
        *("srt", "webvtt", "ass", "microdvd", "subviewer", "sami", "lrc"),
    }
)
# Graph sources a tool writes itself: never stored media, so they keep their demuxer.
_TOOL_BUILT: Final = frozenset({"lavfi"})
_SINGLE_FILE_LIST: Final = ",".join(sorted(SINGLE_FILE_DEMUXERS))
# ffmpeg's words when probing picked a demuxer the whitelist leaves out. ffmpeg 5 names the
# demuxer in the log context ("[hls @ 0x...]"); later releases name the input ("[in#0 @ ...]").
_REFUSED = re.compile(r"\[([\w#,]+) @ 0x[0-9a-f]+\] Format not on whitelist")
_UNNAMED = re.compile(r"in#\d+")


def demuxer_of(format_name: str) -> str:
    """The demuxer ``-f`` takes for a probed format name: "mov,mp4,m4a,..." -> "mov"."""
    return format_name.split(",", 1)[0].strip()


def is_single_file(format_name: str) -> bool:
    return demuxer_of(format_name) in SINGLE_FILE_DEMUXERS


def file_url(path: str | os.PathLike[str]) -> str:
    """``path`` as ffmpeg must read it: a ``file:`` URL of the absolute path."""
    plain = os.fspath(path)
    return "file:" + os.path.abspath(plain.removeprefix("file:"))


def container_refused(format_name: str, value: object) -> ContainerNotAllowed:
    return ContainerNotAllowed(
        f"{demuxer_of(format_name)} files are not accepted: they make ffmpeg read other files",
        value=value,
        details={"format_name": format_name},
    )


def pinned_input(path: Path, format_name: str | None, *, value: object) -> list[str]:
    """``-f <demuxer> -i file:<path>`` for stored media whose probe named ``format_name``
    (``value`` names the asset in errors); an unknown format stays unpinned but whitelisted."""
    if format_name is None:
        return ["-i", file_url(path)]
    if not is_single_file(format_name):
        raise container_refused(format_name, value)
    return ["-f", demuxer_of(format_name), "-i", file_url(path)]


def guard_options(pinned: str | None, *, also: frozenset[str] = frozenset()) -> list[str]:
    """The options an input pinned to ``pinned`` (None: not pinned) gets before its ``-i``;
    an unpinned input may also be read by the single-file demuxers in ``also``."""
    if pinned in _TOOL_BUILT:
        return []
    if pinned is None:
        allowed = _SINGLE_FILE_LIST if not also else ",".join(sorted(SINGLE_FILE_DEMUXERS | also))
        return ["-protocol_whitelist", "file", "-format_whitelist", allowed]
    if pinned not in SINGLE_FILE_DEMUXERS:
        raise ContractViolation(
            f"an ffmpeg input is pinned to the {pinned} demuxer, which reads other files",
            value=pinned,
            hint="Pin stored media with core.ffmpeg.pinned_input (the demuxer registration recorded).",
        )
    return ["-protocol_whitelist", "file", "-format_whitelist", pinned]


def harden_inputs(args: Sequence[str]) -> list[str]:
    """``args`` with every input guarded as the module docstring says."""
    hardened: list[str] = []
    input_start = 0  # where the current input's options begin in ``hardened``
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "-i" and index + 1 < len(args):
            pinned = _pinned_demuxer(hardened[input_start:])
            target = args[index + 1]
            hardened += [*guard_options(pinned), "-i", target if pinned in _TOOL_BUILT else file_url(target)]
            index += 2
            input_start = len(hardened)
            continue
        hardened.append(arg)
        index += 1
    return hardened


def refused_container(stderr: str) -> str | None:
    """The demuxer ffmpeg picked and the whitelist refused ("unknown" where ffmpeg does not
    name it), or None when ``stderr`` says no such thing."""
    match = _REFUSED.search(stderr)
    if match is None:
        return None
    return "unknown" if _UNNAMED.fullmatch(match.group(1)) else match.group(1)


def _pinned_demuxer(options: Sequence[str]) -> str | None:
    for position in range(len(options) - 2, -1, -1):
        if options[position] == "-f":
            return options[position + 1]
    return None
