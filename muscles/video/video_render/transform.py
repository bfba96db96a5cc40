"""The framing lanes of a clip (scale, position_x, position_y) as one crop-and-zoom filter.

A Ken Burns move: at each frame the view is ``1/scale`` of the (fitted) frame, centred on the
point (``position_x``, ``position_y``) of it, kept inside the frame, and scaled back to the
output size. It is ffmpeg's ``zoompan`` with one output frame per input frame (``d=1``), its
zoom and window given as expressions of the input time ``it`` with the same curves as every
other lane (:mod:`muscles.video.video_render.curves`). A clip without framing lanes gets no
filter, so its render is unchanged.
"""

from __future__ import annotations

from typing import Final

from muscles.video.timeline import Clip, Keyframe
from muscles.video.video_render.curves import lane_expression, number

__all__ = ["FRAMING", "crop_zoom"]

FRAMING: Final = ("scale", "position_x", "position_y")
_NEUTRAL: Final = {"scale": 1.0, "position_x": 0.5, "position_y": 0.5}


def crop_zoom(clip: Clip, width: int, height: int, rate: str) -> list[str]:
    """The clip's framing as filter steps (none when it has no framing lane); ``rate`` is the
    output frame rate as ffmpeg reads it (``25/1``)."""
    lanes = {lane.parameter: lane.keyframes for lane in clip.automation.lanes if lane.parameter in FRAMING}
    if not any(lanes.values()):
        return []
    scale, px, py = (_expression(lanes.get(name), name) for name in FRAMING)
    # Inside zoompan, `zoom` is this frame's zoom: the window is iw/zoom wide, ih/zoom high.
    x = f"clip(({px})*iw-iw/zoom/2,0,iw-iw/zoom)"
    y = f"clip(({py})*ih-ih/zoom/2,0,ih-ih/zoom)"
    return [f"zoompan=z='{scale}':x='{x}':y='{y}':d=1:s={width}x{height}:fps={rate}"]


def _expression(keys: list[Keyframe] | None, name: str) -> str:
    if not keys:
        return number(_NEUTRAL[name])
    return lane_expression(keys, t="it")
