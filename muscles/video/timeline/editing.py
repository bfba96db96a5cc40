"""The editor's vocabulary of a timeline: named transitions, fades, layers, transforms and colour.

Kept apart from :mod:`.model` so the picture features read as one concept. Like the rest of
the model the values are unconstrained here: :mod:`.validate` checks each one and names the
clip and field of a problem, which a schema error cannot.
"""

from __future__ import annotations

from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from core.media import MediaInfo

__all__ = [
    "ASPECTS",
    "AUDIO_CURVES",
    "COLOR_URI_PREFIX",
    "TRANSFORM_PARAMETERS",
    "TRANSITIONS",
    "ClipFade",
    "ColorGrade",
    "Fit",
    "Layout",
    "color_facts",
    "color_of",
]

# Every named transition of ffmpeg's xfade (5.1), grouped by family for the docs.
TRANSITION_FAMILIES: Final = {
    "fades": ("fade", "fadeblack", "fadewhite", "fadegrays", "fadefast", "fadeslow", "dissolve", "distance"),
    "wipes": ("wipeleft", "wiperight", "wipeup", "wipedown", "wipetl", "wipetr", "wipebl", "wipebr"),
    "slides": ("slideleft", "slideright", "slideup", "slidedown"),
    "smooth": ("smoothleft", "smoothright", "smoothup", "smoothdown"),
    "shapes": ("circlecrop", "rectcrop", "circleopen", "circleclose", "radial"),
    "opens": ("vertopen", "vertclose", "horzopen", "horzclose"),
    "diagonals": ("diagtl", "diagtr", "diagbl", "diagbr"),
    "slices": ("hlslice", "hrslice", "vuslice", "vdslice"),
    "blurs": ("hblur", "pixelize"),
    "squeezes": ("squeezeh", "squeezev", "zoomin"),
}
TRANSITIONS: Final = frozenset(name for names in TRANSITION_FAMILIES.values() for name in names)
# acrossfade's curves (5.1).
AUDIO_CURVES: Final = frozenset(
    [
        "tri",
        "qsin",
        "esin",
        "hsin",
        "log",
        "ipar",
        "qua",
        "cub",
        "squ",
        "cbr",
        "par",
        "exp",
        "iqsin",
        "ihsin",
        "dese",
        "desi",
        "losi",
        "sinc",
        "isinc",
        "nofade",
    ]
)
ASPECTS: Final = {"16:9": (16, 9), "9:16": (9, 16), "1:1": (1, 1), "4:5": (4, 5)}
# Lanes that place a clip's picture, with their ranges (the Ken Burns crop is the framing
# lanes scale / position_x / position_y of the model).
TRANSFORM_PARAMETERS: Final = {
    "x": (-1.0, 2.0),
    "y": (-1.0, 2.0),
    "size": (0.05, 10.0),
    "rotation": (-3600.0, 3600.0),
    "opacity": (0.0, 1.0),
}
# A clip whose uri is "color:<colour>" is a solid colour (no asset), lasting duration_s.
COLOR_URI_PREFIX: Final = "color:"

Fit = Literal["pad", "crop", "blur"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ClipFade(_Strict):
    """A fade of the clip's picture from (fade_in) or to (fade_out) a colour, and of its sound."""

    duration_s: float = Field(description="Seconds, within the clip")
    color: str = Field(default="black", description="A colour name or #RRGGBB (a layer fades to transparent)")


class Layout(_Strict):
    """Where a clip's picture sits in the output frame, in fractions of the output's size.

    ``width`` 0.5 at ``x`` 0.5, ``y`` 0 is a half-size inset in the top right corner. With
    ``height`` unset the clip keeps its shape; with both set it fills the box (cropped).
    """

    x: float = Field(default=0.0, description="Left edge, fraction of the output width (-1..2)")
    y: float = Field(default=0.0, description="Top edge, fraction of the output height (-1..2)")
    width: float = Field(default=1.0, description="Fraction of the output width (0..4]")
    height: float | None = Field(
        default=None, description="Fraction of the output height; unset keeps the shape"
    )
    opacity: float = Field(default=1.0, description="0 (invisible) .. 1 (opaque)")


class ColorGrade(_Strict):
    """Colour of a clip (or the whole output): a .cube LUT, then exposure, contrast, saturation
    and white balance. Defaults change nothing."""

    lut: str | None = Field(default=None, description="media_v2 uri of a .cube 3D LUT")
    exposure: float = Field(default=0.0, description="Stops, -3..3 (1 = twice as bright)")
    contrast: float = Field(default=1.0, description="0..3 (1 = unchanged)")
    saturation: float = Field(default=1.0, description="0..3 (0 = grey, 1 = unchanged)")
    temperature: float = Field(
        default=6500.0, description="White balance in kelvin, 1000..40000 (6500 = neutral)"
    )

    def is_identity(self) -> bool:
        return self == ColorGrade()


def color_of(uri: str) -> str | None:
    """The colour of a ``color:<colour>`` clip uri, or None for a media uri."""
    return uri[len(COLOR_URI_PREFIX) :] if uri.startswith(COLOR_URI_PREFIX) else None


def color_facts() -> MediaInfo:
    """What a colour clip "holds": a picture of no fixed length, no sound."""
    return MediaInfo(format_name="lavfi", duration_s=None, has_video=True, has_audio=False)
