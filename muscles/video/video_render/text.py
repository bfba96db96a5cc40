"""Overlay text drawn with Pillow, one font per character where one font cannot draw them all.

ffmpeg's ``drawtext`` takes one font file and has no fallback: Chinese, Japanese or Korean text
in a Latin font came out as empty boxes, and colour emoji cannot be drawn by it at all. Here
each character is given the first font fontconfig knows that has its glyph (the sans default
first; a colour font first for emoji), runs of one font are drawn together, colour emoji are
drawn from their bitmaps (Noto Color Emoji has 109 px ones only) and scaled to the text size,
and the result is an RGBA image the render overlays for the overlay's time. A character no
installed font can draw is named in a warning (and drawn as the default font's box); captions
(drawn by libass, which falls back per character the same way) warn through :func:`undrawable`.
"""

from __future__ import annotations

import bisect
import functools
import subprocess
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from PIL import Image, ImageColor, ImageDraw, ImageFont

from core.errors import InvalidInput
from muscles.video.timeline import TextOverlay

__all__ = ["draw_overlay", "undrawable"]

_BOX_FILL: Final = (0, 0, 0, 128)  # drawtext's black@0.5
_BOX_BORDER: Final = 10
_LINE_SPACING: Final = 1.2
_BITMAP_EMOJI_SIZE: Final = 109
_FC_TIMEOUT_S: Final = 10


@dataclass(frozen=True)
class _Run:
    font_file: str | None  # None: no installed font has the glyph
    text: str


def draw_overlay(overlay: TextOverlay, dest: Path, default_font: str | None) -> list[str]:
    """Draw ``overlay``'s text (and box) into the PNG ``dest``; warnings for undrawable characters."""
    fill = _colour(overlay)
    size = overlay.font_size
    lines = [_runs(line, default_font) for line in overlay.text.split("\n")]
    widths = [sum(_width(run, size) for run in line) for line in lines]
    line_height = round(size * _LINE_SPACING)
    pad = _BOX_BORDER if overlay.box else 0
    width = max(1, round(max(widths, default=0)) + 2 * pad)
    height = line_height * len(lines) + 2 * pad
    image = Image.new("RGBA", (width, height), _BOX_FILL if overlay.box else (0, 0, 0, 0))
    for row, (line, line_width) in enumerate(zip(lines, widths, strict=True)):
        x = pad + (width - 2 * pad - line_width) / 2
        baseline = pad + row * line_height + round(size * 0.95)
        for run in line:
            x += _draw(image, run, (x, baseline), size, fill)
    image.save(dest, format="PNG")
    missing = sorted({char for line in lines for run in line if run.font_file is None for char in run.text})
    return [
        f"overlay {overlay.id}: no installed font draws {char!r} (U+{ord(char):04X}); it shows as a box"
        for char in missing
    ]


def _colour(overlay: TextOverlay) -> tuple[int, int, int, int]:
    name, _, alpha = overlay.color.partition("@")
    try:
        red, green, blue = ImageColor.getrgb(name)[:3]
    except ValueError:
        raise InvalidInput(
            f"overlay {overlay.id}: {name!r} is not a colour name",
            value=f"{overlay.id}.color",
            hint="Use a CSS colour name (white, yellow) or #RRGGBB, optionally @alpha.",
        ) from None
    return red, green, blue, round(255 * float(alpha)) if alpha else 255


def _runs(line: str, default_font: str | None) -> list[_Run]:
    """``line`` cut into runs of one font each; marks and joiners stay with what they follow."""
    runs: list[_Run] = []
    for char in line:
        attaches = runs and unicodedata.category(char) in ("Mn", "Me", "Cf")
        font = runs[-1].font_file if attaches else _font_for(char, default_font)
        if runs and runs[-1].font_file == font:
            runs[-1] = _Run(font, runs[-1].text + char)
        else:
            runs.append(_Run(font, char))
    return runs


def undrawable(texts: Iterable[str]) -> list[str]:
    """The distinct characters of ``texts`` that no installed font has a glyph for, sorted
    (spaces, marks and joiners draw nothing by design and are never listed)."""
    return sorted(
        {
            char
            for text in texts
            for char in text
            if not char.isspace()
            and unicodedata.category(char) not in ("Mn", "Me", "Cf", "Cc")
            and not _any_font_has(char)
        }
    )


def _any_font_has(char: str) -> bool:
    """One look-up in the union of every installed font's charset (one fc-list for all: a
    caption file of a thousand distinct CJK characters would otherwise ask fontconfig a
    thousand times)."""
    starts, ends = _coverage()
    if not starts:  # fontconfig could not be asked: ask per character
        return bool(_covering(char))
    index = bisect.bisect_right(starts, ord(char)) - 1
    return index >= 0 and ord(char) <= ends[index]


@functools.cache
def _coverage() -> tuple[list[int], list[int]]:
    """Every installed font's charset merged into sorted, disjoint [start, end] ranges."""
    ranges = []
    for token in _fc(["fc-list", "--format=%{charset}\n"]).split():
        first, _, last = token.partition("-")
        try:
            ranges.append((int(first, 16), int(last or first, 16)))
        except ValueError:
            continue
    starts: list[int] = []
    ends: list[int] = []
    for low, high in sorted(ranges):
        if ends and low <= ends[-1] + 1:
            ends[-1] = max(ends[-1], high)
        else:
            starts.append(low)
            ends.append(high)
    return starts, ends


@functools.cache
def _font_for(char: str, default_font: str | None) -> str | None:
    if char.isspace():
        return default_font
    if not _any_font_has(char):
        return None
    if _is_emoji(char):
        colour = _covering(char, colour=True)
        if colour:
            return colour[0]
    covering = _covering(char)
    if not covering:
        return None
    if default_font in covering:
        return default_font
    best = _fc(["fc-match", "-f", "%{file}", f"sans:charset={ord(char):x}"])
    return best if best in covering else covering[0]


def _is_emoji(char: str) -> bool:
    code = ord(char)
    return 0x1F000 <= code <= 0x1FAFF or 0x2600 <= code <= 0x27BF


@functools.cache
def _covering(char: str, *, colour: bool = False) -> tuple[str, ...]:
    pattern = f":charset={ord(char):x}" + (":color=True" if colour else "")
    return tuple(sorted(set(_fc(["fc-list", "--format=%{file}\n", pattern]).split())))


def _fc(argv: list[str]) -> str:
    try:
        found = subprocess.run(argv, capture_output=True, text=True, timeout=_FC_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return found.stdout.strip() if found.returncode == 0 else ""


@functools.cache
def _font(font_file: str | None, size: int) -> tuple[ImageFont.FreeTypeFont | ImageFont.ImageFont, float]:
    """The font at ``size`` and the scale its drawing needs (bitmap-only fonts draw at their size)."""
    if font_file is None:
        return ImageFont.load_default(size), 1.0
    try:
        return ImageFont.truetype(font_file, size), 1.0
    except OSError:  # a bitmap colour font: one size only
        return ImageFont.truetype(font_file, _BITMAP_EMOJI_SIZE), size / _BITMAP_EMOJI_SIZE


def _width(run: _Run, size: int) -> float:
    font, scale = _font(run.font_file, size)
    return float(font.getlength(run.text)) * scale


def _draw(image: Image.Image, run: _Run, at: tuple[float, float], size: int, fill: tuple[int, ...]) -> float:
    """Draw ``run`` with its baseline at ``at``; returns its advance."""
    font, scale = _font(run.font_file, size)
    advance = float(font.getlength(run.text)) * scale
    if scale == 1.0:
        ImageDraw.Draw(image).text(at, run.text, font=font, fill=fill, anchor="ls", embedded_color=True)
        return advance
    # Bitmap glyphs: drawn at their own size on their own layer, scaled, then composited.
    full = font.getlength(run.text)
    layer = Image.new("RGBA", (max(1, round(full)), round(_BITMAP_EMOJI_SIZE * 1.25)), (0, 0, 0, 0))
    ImageDraw.Draw(layer).text((0, _BITMAP_EMOJI_SIZE), run.text, font=font, anchor="ls", embedded_color=True)
    small = layer.resize(
        (max(1, round(layer.width * scale)), max(1, round(layer.height * scale))), Image.Resampling.LANCZOS
    )
    top = round(at[1] - _BITMAP_EMOJI_SIZE * scale)
    image.alpha_composite(small, (round(at[0]), max(0, top)))
    return advance
