"""air_canvas's errors.

core.errors.InvalidInput
├── EmptyColourRange   empty_colour_range   an HSV range no pixel can fall in (value: the field)
└── PenOutOfRange      pen_out_of_range     a pen setting outside its range (value: the field)
"""

from __future__ import annotations

from core.errors import InvalidInput

__all__ = ["EmptyColourRange", "PenOutOfRange"]


class EmptyColourRange(InvalidInput):
    code = "empty_colour_range"
    default_hint = (
        "Give each HSV range a low end at or below its high end (hue 0..179, saturation and value 0..255; "
        "only hue may wrap, with hue_low above hue_high for reds), or leave marker unset for orange."
    )


class PenOutOfRange(InvalidInput):
    code = "pen_out_of_range"
    default_hint = "Keep pen.gain within 0 < gain <= 1 and pen.lift_speed_px_s above 0."
