"""Frames of a timeline at given times, from the render's own filter graph, without the MP4.

The plan is :func:`.plan.plan_render`'s (never a stream copy, so every frame passes through
the graph); its output side is replaced: the graph's picture goes through ``select`` of the
asked frames to PNG files, its sound into ``anullsink``, and ``-frames:v`` stops ffmpeg at the
last asked frame. Nothing is encoded to H.264 and nothing after that frame is decoded, so a
preview costs a fraction of a render, and each frame is the one the render shows then (the
render's lossy encode aside).

Frame ``n`` of a timeline at ``fps`` is on screen from ``n / fps``; the frame at time ``t`` is
``floor(t * fps)``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Final

import anyio
from pydantic import BaseModel, Field

from core import MediaRef, Progress
from core.errors import ContractViolation
from core.ffmpeg import run_ffmpeg
from core.media import Workspace
from muscles.video.fonts import default_font
from muscles.video.timeline import Timeline, TimeOutOfRange, check
from muscles.video.video_render.graph import RenderPlan
from muscles.video.video_render.plan import plan_render
from muscles.video.video_render.render import _open_inputs
from muscles.video.video_render.subtitles import read_captions
from muscles.video.video_render.text import draw_overlay

__all__ = ["MAX_PREVIEW_FRAMES", "PreviewFrame", "PreviewFrames", "preview_args", "preview_timeline"]

MAX_PREVIEW_FRAMES: Final = 100
_EPSILON: Final = 1e-6
_GRAPH_OPTIONS: Final = ("-filter_complex", "-filter_complex_script")


class PreviewFrame(BaseModel):
    time_s: float = Field(description="The time asked for")
    frame: int = Field(description="The render's frame on screen then")
    image: MediaRef = Field(description="That frame as a PNG in media_v2 (the render's size)")


class PreviewFrames(BaseModel):
    """Frames of the timeline as the render would show them."""

    frames: list[PreviewFrame] = Field(description="One per asked time, in the order asked")
    frame_count: int = Field(description="Frames the full render holds")
    fps: float


async def preview_timeline(
    workspace: Workspace, progress: Progress, timeline: Timeline, times_s: list[float]
) -> PreviewFrames:
    opening = progress.phase("probing", 0.0, 0.05)
    sources, facts = await anyio.to_thread.run_sync(_open_inputs, workspace.blocking, timeline)
    check(timeline, facts)
    font = await anyio.to_thread.run_sync(default_font)
    plan = plan_render(
        timeline,
        sources,
        facts,
        workspace.path("unused.mp4"),
        work_dir=workspace.folder,
        allow_copy=False,
        captions=await read_captions(workspace, timeline),  # the render's captions, drawn alike
    )
    await opening.report(1.0)
    asked = [frame_of(time, plan, field=f"times_s.{index}") for index, time in enumerate(times_s)]
    frames = sorted(set(asked))
    args = preview_args(plan, frames, workspace.folder / "preview-%03d.png")
    for path, text in plan.text_files.items():
        await anyio.Path(path).write_text(text, encoding="utf-8")
    for image, overlay in plan.overlay_images.items():
        await anyio.to_thread.run_sync(draw_overlay, overlay, image, font)
    # ffmpeg's progress is in output time: the select passes frames only now and then, so
    # the bar follows the last asked frame's time.
    await run_ffmpeg(
        args, duration_s=(frames[-1] + 1) / plan.fps, on_progress=progress.phase("rendering", 0.05, 0.9)
    )
    publishing = progress.phase("registering", 0.9, 1.0)
    images: dict[int, MediaRef] = {}
    for position, frame in enumerate(frames):
        made = workspace.path(f"preview-{position:03d}.png")
        if not made.is_file():
            raise ContractViolation("ffmpeg wrote fewer preview frames than asked", value=frame)
        images[frame] = await workspace.publish(made, f"preview-frame{frame}.png")
        await publishing.report((position + 1) / len(frames))
    return PreviewFrames(
        frames=[
            PreviewFrame(time_s=time, frame=frame, image=images[frame])
            for time, frame in zip(times_s, asked, strict=True)
        ],
        frame_count=plan.frame_count,
        fps=plan.fps,
    )


def frame_of(time_s: float, plan: RenderPlan, *, field: str) -> int:
    """The render's frame on screen at ``time_s``; TimeOutOfRange outside the render."""
    duration = plan.frame_count / plan.fps
    if not math.isfinite(time_s) or not 0 <= time_s < duration:
        raise TimeOutOfRange(
            f"{field}: {time_s} s is outside the timeline (0 to {round(duration, 6)} s)",
            value=time_s,
            details={"field": field, "duration_s": round(duration, 6)},
        )
    return min(math.floor(time_s * plan.fps + _EPSILON), plan.frame_count - 1)


def preview_args(plan: RenderPlan, frames: list[int], pattern: Path) -> list[str]:
    """``plan``'s inputs and graph, its picture selected at ``frames`` (sorted, distinct) into
    numbered PNGs, its sound sunk."""
    at = next((i for i, arg in enumerate(plan.args) if arg in _GRAPH_OPTIONS), None)
    labels = [
        plan.args[i + 1][1:-1]
        for i, arg in enumerate(plan.args)
        if arg == "-map" and plan.args[i + 1].startswith("[")
    ]
    if at is None or not labels:
        raise ContractViolation("a render plan without a filter graph cannot be previewed", value="plan")
    picture, sounds = labels[0], labels[1:]
    chosen = "+".join(f"eq(n,{frame})" for frame in frames)
    # yuv420p first, as the render's encoder takes it: the graph then negotiates the formats
    # it does for the render (asked for RGB at its end, it would convert earlier, otherwise).
    extra = [
        f"[{picture}]format=yuv420p,select='{chosen}',format=rgb24[preview]",
        *(f"[{sound}]anullsink" for sound in sounds),
    ]
    option, graph = plan.args[at], plan.args[at + 1]
    if option == "-filter_complex":
        graph_args = [option, ";".join([graph, *extra])]
    else:  # a long graph lives in a script file, written from plan.text_files
        script = Path(graph)
        plan.text_files[script] = ";".join([plan.text_files[script], *extra])
        graph_args = [option, graph]
    return [
        *plan.args[:at],
        *graph_args,
        *("-map", "[preview]", "-frames:v", str(len(frames)), "-fps_mode", "passthrough"),
        *("-c:v", "png", "-f", "image2", "-start_number", "0", "-y", f"file:{pattern}"),
    ]
