"""Where a clip's picture goes: its layout box and the keyframed placement lanes (``x``, ``y``,
``size``, ``rotation``, ``opacity``), as filters on the picture and overlay positions.

The picture (fitted to its box, and Ken Burns-cropped by :mod:`.transform`) gets an alpha
plane, is scaled and rotated about its centre and put at its box's position by the
``overlay`` that composites it; every lane follows the timeline's interpolations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from muscles.video.timeline import Clip, Keyframe, Layout, even
from muscles.video.video_render.curves import lane_expression, number

__all__ = ["PLACING", "Box", "Placement", "lane", "layout_box", "placement"]

# Lanes that need the clip composited (over black on the base track).
PLACING = frozenset({"x", "y", "size", "rotation", "opacity"})


def lane(clip: Clip, parameter: str) -> list[Keyframe] | None:
    found = next((lane for lane in clip.automation.lanes if lane.parameter == parameter), None)
    return found.keyframes if found is not None and found.keyframes else None


def _value(clip: Clip, parameter: str, default: float, variable: str) -> str:
    keys = lane(clip, parameter)
    return number(default) if keys is None else f"({lane_expression(keys, variable)})"


@dataclass(frozen=True)
class Box:
    """Where a clip's picture goes: its size and top-left corner, in output pixels."""

    width: int
    height: int
    x: float
    y: float


def layout_box(layout: Layout | None, out_w: int, out_h: int, shape: tuple[int, int] | None) -> Box:
    """The box of ``layout`` in a ``out_w`` x ``out_h`` frame; ``shape`` is the picture's own
    size (None: a colour, which takes the output's shape)."""
    if layout is None:
        return Box(out_w, out_h, 0.0, 0.0)
    width = even(layout.width * out_w)
    if layout.height is not None:
        height = even(layout.height * out_h)
    elif shape is not None and shape[0] > 0:
        height = even(width * shape[1] / shape[0])
    else:
        height = even(layout.width * out_h)
    return Box(width, height, layout.x * out_w, layout.y * out_h)


@dataclass(frozen=True)
class Placement:
    """Filters on the clip's picture (clock: the clip's own) and where the overlay puts it
    (``x``, ``y``: expressions in the overlay's clock)."""

    steps: list[str]
    x: str
    y: str


def placement(
    clip: Clip, box: Box, out_w: int, out_h: int, clock: str, *, fade_alpha: list[str]
) -> Placement:
    """How ``clip`` is composited; ``clock`` is the clip's time in the overlay (``t`` over its
    own black canvas, ``(t-start)`` on a layer); ``fade_alpha`` are its fades to transparent."""
    steps = ["format=yuva420p", *fade_alpha]
    opacity = clip.layout.opacity if clip.layout is not None else 1.0
    opacity_keys = lane(clip, "opacity")
    if opacity_keys is not None:
        level = f"{number(opacity)}*({lane_expression(opacity_keys, 'T')})"
        steps.append(f"geq=lum='lum(X,Y)':cb='cb(X,Y)':cr='cr(X,Y)':a='alpha(X,Y)*{level}'")
    elif opacity < 1:
        steps.append(f"lut=a='val*{number(opacity)}'")
    width, height = f"{box.width}", f"{box.height}"
    scale_keys = lane(clip, "size")
    largest = 1.0
    if scale_keys is not None:
        own = f"({lane_expression(scale_keys)})"
        steps.append(
            f"scale=w='max(2,2*trunc({box.width}*{own}/2))':h='max(2,2*trunc({box.height}*{own}/2))':eval=frame"
        )
        largest = max(key.value for key in scale_keys)
        at_clock = f"({lane_expression(scale_keys, clock)})"
        width, height = f"({box.width}*{at_clock})", f"({box.height}*{at_clock})"
    rotation_keys = lane(clip, "rotation")
    if rotation_keys is not None:
        # A square canvas the turning picture never leaves; its corners stay transparent.
        side = even(math.ceil(math.hypot(box.width, box.height) * largest) + 2)
        turn = f"({lane_expression(rotation_keys)})*PI/180"
        steps.append(f"rotate=a='{turn}':ow={side}:oh={side}:c=none")
        width = height = str(side)
    left = _value(clip, "x", box.x / out_w, clock)
    top = _value(clip, "y", box.y / out_h, clock)
    # The box's centre stays where it is while the picture scales or turns.
    x = f"{left}*{out_w}+({box.width}-{width})/2"
    y = f"{top}*{out_h}+({box.height}-{height})/2"
    return Placement(steps=steps, x=x, y=y)
