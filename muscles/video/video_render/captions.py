"""A caption track laid out as an ASS script for libass (the ``ass`` filter in the render graph).

The script's canvas is the output frame (PlayResX/Y), so sizes and margins are output pixels.
Each cue is wrapped at the style's line length and paged when it needs more lines than the
style allows; with word timestamps, the lines are built from the words and each word is lit
(the highlight colour) from its start until the next word starts, one event per word. libass
picks a fallback font per character, so accents, CJK and emoji draw where a font has them.
"""

from __future__ import annotations

import textwrap
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from muscles.video.timeline import CaptionStyle, CaptionTrack, CaptionWord, parse_color
from muscles.video.video_render.subtitles import Cue

__all__ = ["CaptionSheet", "ass_filter", "caption_sheet"]

_ALIGNMENT: Final = {"bottom": 2, "center": 5, "top": 8}
# ASS has no escape for override braces, and reads \N, \n, \h anywhere in the text.
_LITERAL: Final = str.maketrans({"{": "\uff5b", "}": "\uff5d", "\\": "\u29f5"})


@dataclass(frozen=True)
class CaptionSheet:
    """One caption track's ASS script."""

    script: str


@dataclass(frozen=True)
class _Event:
    start_s: float
    end_s: float
    text: str


def ass_filter(script: Path) -> str:
    """The ``ass`` filter drawing ``script``: its path escaped for the option, then for the graph
    (a path may hold ':', quotes or brackets; ffmpeg unescapes one level in each parser)."""
    return "ass=filename=" + _escape(_escape(str(script), "\\':"), "\\'[],;")


def _escape(value: str, specials: str) -> str:
    return "".join("\\" + char if char in specials else char for char in value)


def caption_sheet(track: CaptionTrack, cues: Sequence[Cue], width: int, height: int) -> CaptionSheet:
    style = track.style
    events: list[_Event] = []
    for cue in cues:
        words = [word for word in track.words if cue.start_s <= (word.start + word.end) / 2 < cue.end_s]
        events += _word_events(cue, words, style) if words else _plain_events(cue, style)
    shifted = [_Event(e.start_s + track.offset_s, e.end_s + track.offset_s, e.text) for e in events]
    return CaptionSheet(script=_script(shifted, style, width, height))


def _plain_events(cue: Cue, style: CaptionStyle) -> list[_Event]:
    """The cue wrapped and paged, each page on screen for its share of the cue's characters."""
    lines = textwrap.wrap(cue.text, style.max_chars_per_line, break_long_words=True, break_on_hyphens=False)
    pages = [lines[i : i + style.max_lines] for i in range(0, len(lines), style.max_lines)]
    total = sum(len(line) for line in lines) or 1
    events, start = [], cue.start_s
    for page in pages:
        end = start + (cue.end_s - cue.start_s) * sum(len(line) for line in page) / total
        events.append(_Event(start, end, r"\N".join(line.translate(_LITERAL) for line in page)))
        start = end
    return events


def _word_events(cue: Cue, words: list[CaptionWord], style: CaptionStyle) -> list[_Event]:
    """Lines built from the words, paged; within a page one event per word, that word lit."""
    spaced = any(word.word[:1].isspace() for word in words)
    lines: list[list[tuple[str, str]]] = [[]]  # (joiner before the word, the word)
    length = 0
    for word in words:
        text = word.word.strip().translate(_LITERAL)
        joiner = " " if (word.word[:1].isspace() if spaced else not _wide(text)) else ""
        if lines[-1] and length + len(joiner) + len(text) > style.max_chars_per_line:
            lines.append([])
            length = 0
        joiner = joiner if lines[-1] else ""
        lines[-1].append((joiner, text))
        length += len(joiner) + len(text)
    pages = [lines[i : i + style.max_lines] for i in range(0, len(lines), style.max_lines)]
    lit, base = _inline_color(style.highlight_color), _inline_color(style.color)
    events = []
    index = 0  # the first word of the page in ``words``
    for number, page in enumerate(pages):
        count = sum(len(line) for line in page)
        page_start = cue.start_s if number == 0 else words[index].start
        page_end = words[index + count].start if index + count < len(words) else cue.end_s
        for offset in range(count):
            start = page_start if offset == 0 else words[index + offset].start
            end = words[index + offset + 1].start if offset + 1 < count else page_end
            if end <= start:
                continue
            text = _page_text(page, offset, lit, base)
            events.append(_Event(start, end, text))
        index += count
    return events


def _page_text(page: list[list[tuple[str, str]]], lit_index: int, lit: str, base: str) -> str:
    out_lines, position = [], 0
    for line in page:
        parts = []
        for joiner, text in line:
            parts.append(joiner + (f"{{{lit}}}{text}{{{base}}}" if position == lit_index else text))
            position += 1
        out_lines.append("".join(parts))
    return r"\N".join(out_lines)


def _wide(text: str) -> bool:
    """CJK words are written without spaces between them."""
    return any(unicodedata.east_asian_width(char) in ("W", "F") for char in text)


def _ass_color(value: str) -> str:
    """``&HAABBGGRR``: ASS colours are blue-green-red with transparency (0 = opaque)."""
    rgba = parse_color(value)
    assert rgba is not None  # checked by the timeline's validation
    red, green, blue, alpha = rgba
    return f"&H{round((1 - alpha) * 255):02X}{blue:02X}{green:02X}{red:02X}"


def _inline_color(value: str) -> str:
    colour = _ass_color(value)
    return rf"\1c&H{colour[4:]}&\1a&H{colour[2:4]}&"


def _time(seconds: float) -> str:
    centis = max(0, round(seconds * 100))
    hours, centis = divmod(centis, 360_000)
    minutes, centis = divmod(centis, 6000)
    secs, centis = divmod(centis, 100)
    return f"{hours}:{minutes:02d}:{secs:02d}.{centis:02d}"


def _script(events: list[_Event], style: CaptionStyle, width: int, height: int) -> str:
    size = style.size_px or max(8, round(height / 14))
    border = 3 if style.box else 1
    # In box mode libass fills the box with the outline colour.
    outline_color = style.shadow_color if style.box else style.outline_color
    fields = [
        "Default",
        style.font,
        str(size),
        _ass_color(style.color),
        _ass_color(style.highlight_color),
        _ass_color(outline_color),
        _ass_color(style.shadow_color),
        *("0", "0", "0", "0", "100", "100", "0", "0"),
        str(border),
        f"{style.outline_px:g}",
        f"{style.shadow_px:g}",
        str(_ALIGNMENT[style.position]),
        str(round(width * style.margin_x_pct / 100)),
        str(round(width * style.margin_x_pct / 100)),
        str(round(height * style.margin_y_pct / 100)),
        "1",
    ]
    lines = [
        "[Script Info]",
        "ScriptType: v4.00+",
        f"PlayResX: {width}",
        f"PlayResY: {height}",
        "WrapStyle: 2",  # lines break where the layout put \N only
        "ScaledBorderAndShadow: yes",
        "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, "
        "Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, "
        "Shadow, Alignment, MarginL, MarginR, MarginV, Encoding",
        "Style: " + ",".join(fields),
        "",
        "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ]
    lines += [
        f"Dialogue: 0,{_time(e.start_s)},{_time(e.end_s)},Default,,0,0,0,,{e.text}"
        for e in events
        if round(e.end_s * 100) > round(e.start_s * 100)
    ]
    return "\n".join(lines) + "\n"
