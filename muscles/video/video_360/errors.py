"""video_360's errors, each with the offending value and what to do.

core.errors.InvalidInput
├── NotEquirect       not_equirectangular   the input is not 2:1 (value: "WxH")
├── NotACubemap       not_a_cubemap         the picture's size fits no face grid of the layout
└── ViewOutOfRange    view_out_of_range     a field of view or pitch outside its range (value: the field)
core.errors.MediaError
└── NoFrames          no_frames             the video decoded to no frames (from muscles.video.frames)
"""

from __future__ import annotations

from core.errors import InvalidInput
from muscles.video.frames import NoFrames

__all__ = ["NoFrames", "NotACubemap", "NotEquirect", "ViewOutOfRange"]


class NotEquirect(InvalidInput):
    code = "not_equirectangular"
    default_hint = (
        "Send an equirectangular 360 picture or video (width exactly twice the height, e.g. 3840x1920), "
        "or pass allow_any_aspect=true to project it anyway (it is then stretched over the sphere)."
    )


class NotACubemap(InvalidInput):
    code = "not_a_cubemap"
    default_hint = (
        "Send a cubemap whose size fits the layout: horizon 6x1 faces, dice 4x3, 3x2 3x2 (square faces), "
        "or name the layout the picture has."
    )


class ViewOutOfRange(InvalidInput):
    code = "view_out_of_range"
    default_hint = "Keep h_fov and v_fov within 1..170 degrees and pitch within -90..90."
