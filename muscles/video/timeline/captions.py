"""Captions burnt into the picture: an SRT or WebVTT file from media_v2 (the transcriber's
output, say), a style, and optionally the transcriber's word timestamps, which light each word
as it is said. Kept apart from the text overlays: a caption track is a file of cues, laid out
and wrapped by the renderer.
"""

from __future__ import annotations

import re
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["CaptionStyle", "CaptionTrack", "CaptionWord", "Rgba", "parse_color"]

Rgba = tuple[int, int, int, float]
_NAMED: Final = {
    "white": "FFFFFF",
    "black": "000000",
    "yellow": "FFFF00",
    "red": "FF0000",
    "green": "00FF00",
    "blue": "0000FF",
    "cyan": "00FFFF",
    "magenta": "FF00FF",
}
_COLOR: Final = re.compile(r"^#?([0-9a-fA-F]{6})(?:@(0(?:\.\d{1,3})?|1(?:\.0{1,3})?))?$")


def parse_color(value: str) -> Rgba | None:
    """``#RRGGBB[@alpha]`` or a basic colour name (white, yellow@0.5) as (r, g, b, alpha), or
    None when it is neither."""
    name, _, alpha = value.partition("@")
    found = (
        _COLOR.match(f"#{_NAMED[name.lower()]}" + (f"@{alpha}" if alpha else ""))
        if name.lower() in _NAMED
        else _COLOR.match(value)
    )
    if found is None:
        return None
    hex_rgb, opacity = found.group(1), found.group(2)
    return int(hex_rgb[0:2], 16), int(hex_rgb[2:4], 16), int(hex_rgb[4:6], 16), float(opacity or 1)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CaptionWord(_Strict):
    """One spoken word and its span in the caption file's clock (a transcriber ``Word``)."""

    word: str
    start: float
    end: float
    probability: float | None = Field(default=None, description="Carried from the transcriber; unused")


class CaptionStyle(_Strict):
    """How the captions look. Colours are #RRGGBB, optionally @alpha (#000000@0.5)."""

    font: str = Field(
        default="sans", description="Font family (fontconfig name); characters it lacks fall back"
    )
    size_px: int = Field(
        default=0, description="Text height in output pixels, 8..400; 0 = 1/14 of the height"
    )
    color: str = Field(default="#FFFFFF", description="Text colour")
    highlight_color: str = Field(default="#FFD400", description="Colour of the word being said (with words)")
    outline_color: str = Field(default="#000000", description="Outline colour")
    outline_px: float = Field(default=2.0, description="Outline width, 0..20 px")
    shadow_color: str = Field(default="#000000@0.6", description="Shadow (or box) colour")
    shadow_px: float = Field(default=1.0, description="Shadow offset, 0..20 px")
    box: bool = Field(default=False, description="Draw an opaque box (shadow colour) behind each line")
    position: Literal["bottom", "top", "center"] = "bottom"
    margin_x_pct: float = Field(default=5.0, description="Safe margin left and right, % of the width, 0..25")
    margin_y_pct: float = Field(default=5.0, description="Safe margin top or bottom, % of the height, 0..25")
    max_chars_per_line: int = Field(default=42, description="Lines wrap at this many characters, 8..120")
    max_lines: int = Field(default=2, description="Lines on screen at once, 1..4; longer cues are paged")


class CaptionTrack(_Strict):
    """An SRT or WebVTT file from media_v2 burnt in from ``offset_s`` on the timeline."""

    id: str
    uri: str = Field(description="MediaRef uri of an .srt or .vtt (the transcriber's srt or vtt)")
    words: list[CaptionWord] = Field(
        default_factory=list,
        description="Word timestamps (the transcriber's segments[].words, flattened); lights each word as said",
    )
    offset_s: float = Field(
        default=0.0, description="Timeline time of the file's 0 s (cue times are shifted by it)"
    )
    style: CaptionStyle = Field(default_factory=CaptionStyle)
