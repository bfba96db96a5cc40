"""Problems of the caption tracks (their file, words and style), each naming the caption track
and field, for :mod:`.validate`. Whether the file parses as SRT or WebVTT is checked where it
is read (the render), as the timeline alone does not hold its text."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Final

from core.errors import InvalidInput
from core.media import parse_media_uri
from muscles.video.timeline.captions import CaptionStyle, CaptionTrack, parse_color
from muscles.video.timeline.issues import Issue
from muscles.video.timeline.model import Timeline

__all__ = ["caption_issues"]

_RANGES: Final = {
    "outline_px": (0.0, 20.0),
    "shadow_px": (0.0, 20.0),
    "margin_x_pct": (0.0, 25.0),
    "margin_y_pct": (0.0, 25.0),
    "max_chars_per_line": (8, 120),
    "max_lines": (1, 4),
}


def caption_issues(timeline: Timeline) -> Iterator[Issue]:
    seen: set[str] = set()
    for track in timeline.captions:
        if track.id in seen:
            yield _issue(
                track, "id", "caption track id is used twice", "Give every caption track its own id."
            )
        seen.add(track.id)
        try:
            parse_media_uri(track.uri)
        except InvalidInput:
            yield _issue(
                track,
                "uri",
                f"{track.uri!r} is not a media_v2 uri",
                "Use the srt or vtt MediaRef uri the transcriber returned.",
            )
        if track.offset_s < 0:
            yield _issue(
                track, "offset_s", f"offset_s {track.offset_s} is negative", "Timeline time starts at 0."
            )
        yield from _words(track)
        yield from _style(track, track.style)


def _words(track: CaptionTrack) -> Iterator[Issue]:
    for index, word in enumerate(track.words):
        field = f"words[{index}]"
        if not word.word.strip():
            yield _issue(track, f"{field}.word", "the word is empty", "Drop empty words.")
        if word.start < 0 or word.end <= word.start:
            yield _issue(
                track,
                f"{field}.end",
                f"the word's span {word.start}..{word.end} is empty or negative",
                "Use 0 <= start < end (seconds in the caption file's clock).",
            )
    for index, (before, after) in enumerate(itertools.pairwise(track.words), start=1):
        if after.start < before.start:
            yield _issue(
                track, f"words[{index}].start", "words are not in time order", "Sort the words by start."
            )


def _style(track: CaptionTrack, style: CaptionStyle) -> Iterator[Issue]:
    if not style.font.strip() or any(char in style.font for char in ",\n\r{}"):
        yield _issue(
            track,
            "style.font",
            f"{style.font!r} is not a font family name",
            "Use a family such as Noto Sans.",
        )
    if style.size_px != 0 and not 8 <= style.size_px <= 400:
        yield _issue(track, "style.size_px", "size_px must be 0 (auto) or 8..400", "Use pixels, 8..400.")
    for field in ("color", "highlight_color", "outline_color", "shadow_color"):
        value = getattr(style, field)
        if parse_color(value) is None:
            yield _issue(
                track,
                f"style.{field}",
                f"{value!r} is not a colour",
                "Use #RRGGBB, optionally @alpha: #000000@0.5.",
            )
    for field, (low, high) in _RANGES.items():
        value = getattr(style, field)
        if not low <= value <= high:
            yield _issue(
                track, f"style.{field}", f"{field} {value} is outside {low}..{high}", f"Use {low}..{high}."
            )


def _issue(track: CaptionTrack, field: str, message: str, hint: str) -> Issue:
    return Issue(
        code="timeline_invalid",
        clip_id=track.id,
        field=field,
        message=f"caption track {track.id}: {message}",
        hint=hint,
    )
