"""Reading ffprobe's JSON (``-show_format -show_streams``, ``-count_packets``) for core.probe."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from core.media._probe_model import Parsed, Stream, normalise_fps, positive_int

__all__ = ["counted_packets", "parse_ffprobe"]


def parse_ffprobe(stdout: str) -> Parsed | None:
    """The format and streams ffprobe found, or None when it names no format."""
    data = _json(stdout)
    fmt = data.get("format") or {}
    if not fmt.get("format_name"):
        return None
    try:
        duration = _centis(int(Decimal(fmt["duration"]) * 1_000_000))
    except (KeyError, InvalidOperation):  # "N/A" or absent (still images, raw streams)
        duration = None
    return Parsed(fmt["format_name"], duration, [_stream(s) for s in data.get("streams") or []])


def counted_packets(stdout: str) -> int | None:
    """``nb_read_packets`` of the one stream a ``-count_packets`` run selected."""
    return positive_int((_json(stdout).get("streams") or [{}])[0].get("nb_read_packets"))


def _json(stdout: str) -> dict[str, Any]:
    try:
        data = json.loads(stdout)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _stream(raw: dict[str, Any]) -> Stream:
    rate = _fraction(raw.get("avg_frame_rate")) or _fraction(raw.get("r_frame_rate"))
    return Stream(
        kind=str(raw.get("codec_type", "")),
        codec=raw.get("codec_name"),
        width=positive_int(raw.get("width")),
        height=positive_int(raw.get("height")),
        fps=normalise_fps(float(rate)) if rate else None,
        sample_rate=positive_int(raw.get("sample_rate")),
        channels=positive_int(raw.get("channels")),
        attached_pic=(raw.get("disposition") or {}).get("attached_pic") == 1,
        declared_frames=positive_int(raw.get("nb_frames")),
    )


def _fraction(raw: object) -> Fraction | None:
    # ffprobe writes "0/0" for an unknown rate.
    num, _, den = str(raw).partition("/")
    if not (num.isdigit() and den.isdigit()) or int(num) == 0 or int(den) == 0:
        return None
    return Fraction(int(num), int(den))


def _centis(microseconds: int) -> int:
    # ffmpeg's banner adds 5000 us and truncates: round half up to 10 ms.
    return (microseconds + 5000) // 10_000
