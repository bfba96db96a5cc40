"""One clip's picture, cut to its exact frame count: its source (a decoded stream, a looped
still or a generated colour), fitted to its box, graded, brightened, length-fixed, then Ken
Burns, fades and, for a placed clip, scale, rotation, opacity and its position.

A placed clip on the base track (a layout or a placing lane) is composited over black here;
a layer's clip is returned with its :class:`~.transform.Placement` for :mod:`.layers`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from muscles.video.timeline import Clip, color_of
from muscles.video.video_render.colour import grade_steps
from muscles.video.video_render.curves import lane_expression, number
from muscles.video.video_render.framing import fit_chains
from muscles.video.video_render.placement import PLACING, Placement, lane, layout_box, placement
from muscles.video.video_render.transform import crop_zoom

if TYPE_CHECKING:
    from muscles.video.video_render.graph import GraphBuilder

__all__ = ["clip_picture", "is_placed", "sound_fades"]


def is_placed(clip: Clip) -> bool:
    """Whether the clip is composited rather than filling the frame."""
    return clip.layout is not None or any(lane(clip, name) for name in PLACING)


def clip_picture(
    builder: GraphBuilder, clip: Clip, frames: int, *, layer: bool
) -> tuple[str, Placement | None]:
    """The label of ``clip``'s picture (``frames`` long, from 0) and, for a layer, where it goes."""
    fmt = builder.fmt
    rate = f"{fmt.rate.numerator}/{fmt.rate.denominator}"
    color = color_of(clip.uri)
    found = builder.facts[clip.uri]
    shape = None if color is not None else (found.width or fmt.width, found.height or fmt.height)
    placed = layer or is_placed(clip)
    box = layout_box(clip.layout, fmt.width, fmt.height, shape)
    fitted = builder.label("f")
    if color is not None:
        builder.chains.append(f"color=c={color}:s={box.width}x{box.height}:r={rate},setsar=1[{fitted}]")
    else:
        run = builder.run_of[clip.id]
        retime = "setpts=PTS-STARTPTS" if clip.speed == 1 else f"setpts=(PTS-STARTPTS)/{number(clip.speed)}"
        # The clip's piece of its run, cut at its out point; the rate first: frames the output
        # drops are never scaled or padded.
        head = [f"trim=end={number(run.end_of(clip))}", retime]
        if found.is_still:
            # One decoded picture, repeated on the output's frame grid (fps would drop a lone
            # frame that has no duration).
            head = [
                "loop=loop=-1:size=1",
                f"settb=expr={fmt.rate.denominator}/{fmt.rate.numerator}",
                "setpts=N",
            ]
        elif not run.video_prelude:
            head.append(f"fps={rate}")
        decoded = builder.label("h")
        builder.chains.append(f"[{run.take('v', clip)}]" + ",".join(head) + f"[{decoded}]")
        if run.video_prelude:
            fitted = decoded  # the run already fits the frame (:meth:`GraphBuilder._shape_runs`)
        else:
            # A boxed clip fills its box (cropped: its own shape, to the even pixel, or the
            # box's when both sides are given); a full-frame one takes the output's fit.
            fit = "crop" if clip.layout is not None else builder.timeline.output.fit
            builder.chains += fit_chains(decoded, fitted, box.width, box.height, fit, builder.label("fit"))
    steps = ["format=yuv420p", *grade_steps(clip.grade, builder.lut_path(clip.grade))]
    brightness = lane(clip, "brightness")
    if brightness is not None:
        steps.append(f"eq=brightness='{lane_expression(brightness)}':eval=frame")
    # A clip a frame short (rounding at the source) repeats its last frame; then cut exact. A
    # still is one decoded frame, held for as long as the clip lasts.
    hold = builder.pad_short or found.is_still or color is not None
    steps += [
        f"tpad=stop_mode=clone:stop={-1 if hold else 2}",
        f"trim=end_frame={frames}",
        "setpts=PTS-STARTPTS",
    ]
    # The Ken Burns crop after the length is fixed: a still's one picture is a clip's worth
    # of frames by then.
    steps += crop_zoom(clip, box.width, box.height, rate)
    length = frames / fmt.rate
    fades = _fades(clip, float(length), alpha=placed)
    if not placed:
        return _chain(builder, fitted, [*steps, *fades]), None
    clock = "t" if not layer else f"(t-{number(float(builder.frames_of(clip)[0] / fmt.rate))})"
    where = placement(clip, box, fmt.width, fmt.height, clock, fade_alpha=fades)
    picture = _chain(builder, fitted, [*steps, *where.steps])
    if layer:
        return picture, where
    # A placed base clip: over black, the frame's size, for exactly its frames.
    canvas, placed_label = builder.label("bg"), builder.label("p")
    builder.chains.append(f"color=c=black:s={fmt.width}x{fmt.height}:r={rate},setsar=1[{canvas}]")
    builder.chains.append(
        f"[{canvas}][{picture}]overlay=x='{where.x}':y='{where.y}':shortest=1,format=yuv420p[{placed_label}]"
    )
    return placed_label, None


def _chain(builder: GraphBuilder, source: str, steps: list[str]) -> str:
    label = builder.label("v")
    builder.chains.append(f"[{source}]" + ",".join(steps) + f"[{label}]")
    return label


def _fades(clip: Clip, length: float, *, alpha: bool) -> list[str]:
    """The clip's fades: from and to a colour, or (a composited clip) from and to transparent."""
    steps = []
    for kind, fade in (("in", clip.fade_in), ("out", clip.fade_out)):
        if fade is None:
            continue
        start = 0.0 if kind == "in" else max(0.0, length - fade.duration_s)
        look = "alpha=1" if alpha else f"color={fade.color}"
        steps.append(f"fade=t={kind}:st={number(start)}:d={number(fade.duration_s)}:{look}")
    return steps


def sound_fades(clip: Clip, length: float) -> list[str]:
    """The clip's fades on its sound, from and to silence."""
    steps = []
    if clip.fade_in is not None:
        steps.append(f"afade=t=in:st=0:d={number(clip.fade_in.duration_s)}")
    if clip.fade_out is not None:
        start = max(0.0, length - clip.fade_out.duration_s)
        steps.append(f"afade=t=out:st={number(start)}:d={number(clip.fade_out.duration_s)}")
    return steps
