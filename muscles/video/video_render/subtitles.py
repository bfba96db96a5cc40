"""SubRip (.srt) and WebVTT (.vtt) files read into cues: start, end and plain text.

Both are blocks separated by blank lines, each with a ``start --> end`` line and its text; a
WebVTT file adds a header, cue settings after the times, and NOTE, STYLE and REGION blocks,
which carry no captions. Inline markup (<i>, <b>, <c.class>, <00:00:01.000> karaoke times) is
dropped: the caption style decides the look.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import anyio

from core.media import BlockingWorkspace, Workspace
from muscles.video.timeline import CaptionTrack, Timeline, TimelineInvalid

__all__ = ["CaptionCues", "Cue", "find_caption_files", "parse_subtitles", "read_captions"]

# Subtitles of a feature film are about 100 KB; this bounds what a render reads into memory.
MAX_SUBTITLE_BYTES: Final = 4 * 1024 * 1024

_TIME: Final = r"(?:(\d+):)?(\d{1,2}):(\d{2})[,.](\d{1,3})"
_TIMING: Final = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")
_MARKUP: Final = re.compile(r"<[^>\n]*>")


@dataclass(frozen=True)
class Cue:
    start_s: float
    end_s: float
    text: str


@dataclass(frozen=True)
class CaptionCues:
    """A caption track and the cues its file holds."""

    track: CaptionTrack
    cues: list[Cue]


def find_caption_files(workspace: BlockingWorkspace, timeline: Timeline) -> None:
    """Raise asset_not_found naming the caption track whose file is not stored (before a render
    or its job starts)."""
    for track in timeline.captions:
        workspace.describe(
            track.uri, field=f"{track.id}.uri", subject=f"caption track {track.id}", clip_id=track.id
        )


async def read_captions(workspace: Workspace, timeline: Timeline) -> list[CaptionCues]:
    """Each caption track's file, read from media_v2 and parsed; errors name the track."""
    return [
        CaptionCues(track, parse_subtitles(await _read_text(workspace, track), caption_id=track.id))
        for track in timeline.captions
    ]


async def _read_text(workspace: Workspace, track: CaptionTrack) -> str:
    naming = {"field": f"{track.id}.uri", "subject": f"caption track {track.id}", "clip_id": track.id}
    asset = await workspace.describe(track.uri, **naming)
    if asset.ref.size_bytes > MAX_SUBTITLE_BYTES:
        raise _unreadable(track.id, f"the file is {asset.ref.size_bytes} bytes, over {MAX_SUBTITLE_BYTES}")
    path = await anyio.to_thread.run_sync(lambda: workspace.blocking.open_document(track.uri, **naming))
    try:
        return await anyio.Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise _unreadable(track.id, "the file is not UTF-8 text") from None


def parse_subtitles(text: str, *, caption_id: str) -> list[Cue]:
    """The cues of an SRT or WebVTT file, in time order; errors name the caption track."""
    cues = []
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff"))
    for block in blocks:
        lines = block.strip("\n").split("\n")
        timing = next((index for index, line in enumerate(lines) if "-->" in line), None)
        if timing is None:
            continue  # the WEBVTT header, NOTE / STYLE / REGION blocks, stray numbers
        found = _TIMING.match(lines[timing])
        if found is None:
            raise _unreadable(caption_id, f"the timing line {lines[timing].strip()!r} is not start --> end")
        start, end = _seconds(found.groups()[:4]), _seconds(found.groups()[4:])
        words = " ".join(_MARKUP.sub("", line).strip() for line in lines[timing + 1 :])
        words = " ".join(words.split())
        if end > start and words:
            cues.append(Cue(start, end, words))
    if not cues:
        raise _unreadable(caption_id, "the file holds no cues (start --> end lines with text)")
    return sorted(cues, key=lambda cue: cue.start_s)


def _seconds(parts: tuple[str | None, ...]) -> float:
    hours, minutes, seconds, fraction = parts
    assert minutes is not None and seconds is not None and fraction is not None
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(fraction.ljust(3, "0")) / 1000


def _unreadable(caption_id: str, why: str) -> TimelineInvalid:
    return TimelineInvalid(
        f"caption track {caption_id}: {why}",
        item_id=caption_id,
        field="uri",
        hint="Send an SRT or WebVTT file (the transcriber's srt or vtt MediaRef).",
    )
