"""Frame times on a video's frame grid, and the ffmpeg input that yields one frame.

Frame ``n`` of a video at ``fps`` is shown from ``n / fps`` until the next; the frame *at*
time ``t`` is the one shown then, ``floor(t * fps)``. An input seeked with ``-ss`` gives the
first frame whose timestamp is at or after the seek point, so the seek goes half a frame
before frame ``n``: rounding of either timestamp cannot pick a neighbour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from core.media import OpenedMedia
from muscles.video.timeline import TimeOutOfRange

__all__ = ["frame_at", "frame_time", "one_frame_input", "timecode"]

_EPSILON = 1e-6
# Frames an input may decode after its seek point (the frame wanted is the first).
_SPAN_FRAMES = 2


def frame_at(time_s: float, fps: float, duration_s: float, *, field: str) -> int:
    """The frame shown at ``time_s``; TimeOutOfRange outside ``[0, duration_s)``."""
    if not math.isfinite(time_s) or time_s < 0 or time_s >= duration_s:
        raise TimeOutOfRange(
            f"{field}: {time_s} s is outside the video (0 to {duration_s} s)",
            value=time_s,
            details={"field": field, "duration_s": duration_s},
        )
    return min(math.floor(time_s * fps + _EPSILON), max(0, math.ceil(duration_s * fps) - 1))


def frame_time(frame: int, fps: float) -> float:
    return round(frame / fps, 6)


def one_frame_input(media: OpenedMedia, frame: int, fps: float) -> list[str]:
    """``-ss`` / ``-t`` and the pinned input: decoding starts at ``frame``."""
    seek = max(0.0, (frame - 0.5) / fps)
    return ["-ss", f"{seek:.6f}", "-t", f"{_SPAN_FRAMES / fps:.6f}", *media.input_args]


def timecode(seconds: float) -> str:
    """``HH:MM:SS.mmm``."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def drawn_timecode(seconds: float, font_size: int, font_file: str | None) -> str:
    """A ``drawtext`` filter burning ``timecode(seconds)`` into the bottom-left corner."""
    # ':' separates filter options and is special in the graph: escaped once for each parser.
    text = timecode(seconds).replace(":", "\\\\\\:")
    options: Sequence[str] = (
        *((f"fontfile={_escaped_path(font_file)}",) if font_file else ()),
        "expansion=none",
        f"text={text}",
        f"fontsize={font_size}",
        "fontcolor=white",
        "box=1",
        "boxcolor=black@0.6",
        f"boxborderw={max(1, font_size // 5)}",
        f"x={max(1, font_size // 3)}",
        f"y=h-text_h-{max(1, font_size // 3)}",
    )
    return "drawtext=" + ":".join(options)


def _escaped_path(path: str) -> str:
    """A font path as a filter option inside a graph (one escape level per parser)."""
    once = "".join("\\" + char if char in "\\':" else char for char in path)
    return "".join("\\" + char if char in "\\'[],;" else char for char in once)
