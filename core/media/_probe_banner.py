"""Reading the banner ``ffmpeg -i`` prints: core.probe's fallback where there is no ffprobe.

Only the input's section counts: the indented block under ``Input #0``. Durations come in
centiseconds and rates to two decimals, the banner's own precision.
"""

from __future__ import annotations

import re
from typing import Final

from core.media._probe_model import Parsed, Stream, normalise_fps, positive_int

__all__ = ["last_frame_counter", "parse_banner"]

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
_INPUT = re.compile(r"Input #0, (.+?), from '")
_DURATION = re.compile(r"\s+Duration: (?:N/A|(\d+):(\d{2}):(\d{2})\.(\d{2}))")
_STREAM = re.compile(r"\s+Stream #0:(\d+)(?:\[\w+\])?(?:\([^)]*\))?: (\w+): (.*)")
_RATE = re.compile(r"(\d+(?:\.\d+)?)(k?) (fps|tbr)")
_FRAME_COUNTER = re.compile(r"frame=\s*(\d+)")


def parse_banner(stderr: str) -> Parsed | None:
    """The input ffmpeg described on ``stderr``, or None when it describes none."""
    lines = re.split(r"\r\n|\r|\n", stderr)
    start = next((i for i, line in enumerate(lines) if _INPUT.match(line)), None)
    if start is None:
        return None
    match = _INPUT.match(lines[start])
    assert match is not None
    duration: int | None = None
    streams: dict[int, Stream] = {}
    # The input's section is the indented block under "Input #0"; what follows (Output #0,
    # Stream mapping) describes the null output and must not be mistaken for it.
    for line in lines[start + 1 :]:
        if not line.startswith(" "):
            break
        if found := _DURATION.match(line):
            duration = _centis(found.groups())
        elif found := _STREAM.match(line):
            # Programs (MPEG-TS) may list a stream twice: the first mention is enough.
            streams.setdefault(int(found.group(1)), _stream(found.group(2).lower(), found.group(3)))
    return Parsed(match.group(1), duration, [streams[index] for index in sorted(streams)])


def last_frame_counter(stderr: str) -> int | None:
    """The last ``frame=N`` of ffmpeg's stats: how many frames the run went through."""
    counters = _FRAME_COUNTER.findall(stderr)
    return positive_int(counters[-1]) if counters else None


def _centis(groups: tuple[str | None, ...]) -> int | None:
    if groups[0] is None:  # "Duration: N/A"
        return None
    hours, minutes, seconds, centis = (int(g or 0) for g in groups)
    return ((hours * 60 + minutes) * 60 + seconds) * 100 + centis


def _stream(kind: str, description: str) -> Stream:
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
    return Stream(
        kind=kind,
        codec=codec,
        width=width,
        height=height,
        fps=normalise_fps(rate) if rate else None,
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
