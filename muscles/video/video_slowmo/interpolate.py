"""The ``flow`` preset's frame loop: source frames in through core's frame pipe, each output
frame taken from its two neighbours with :mod:`.flow` (flows computed once per neighbour pair,
however many frames fall between them), frames out through the pipe with the slowed sound."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path

from core.ffmpeg.frames import Frame, FrameReader, FrameWriter

from .flow import FlowPair, interpolate, pair
from .plan import Retime
from .presets import ENCODER

__all__ = ["flow_retime"]

# Positions this close to a source frame take that frame as it is.
_ON_FRAME = 1e-6


def flow_retime(
    path: Path,
    pin: list[str],
    retime: Retime,
    output: Path,
    *,
    size: tuple[int, int],
    audio: str | None,
    should_cancel: Callable[[], bool],
    on_frame: Callable[[int], None],
) -> None:
    """Write ``retime.frame_count`` frames to ``output``; ``on_frame(done)`` after each one."""
    width, height = size
    span = retime.end_s - retime.start_s
    with (
        FrameReader(
            path,
            width=width,
            height=height,
            start_s=retime.start_s,
            duration_s=span,
            input_args=pin,
            should_cancel=should_cancel,
        ) as reader,
        FrameWriter(
            output,
            width=width,
            height=height,
            fps=f"{retime.fps:g}",
            audio_from=path if audio else None,
            audio_start_s=retime.start_s,
            audio_duration_s=span,
            audio_filter=audio,
            audio_input_args=pin,
            video_args=ENCODER,
            should_cancel=should_cancel,
        ) as writer,
    ):
        for done, frame in enumerate(_frames(iter(reader), retime), start=1):
            writer.write(frame)
            on_frame(done)


def _frames(source: Iterator[Frame], retime: Retime) -> Iterator[Frame]:
    """The output frames in order, reading the source only as far as they need."""
    window: list[Frame] = []  # source frames first_index, first_index + 1
    first_index = 0
    flows: FlowPair | None = None
    exhausted = False
    for index in range(retime.frame_count):
        position = retime.source_position(index)
        base = math.floor(position + _ON_FRAME)
        # Slide the window up to frames base, base + 1 (or as far as the source goes).
        while not exhausted and first_index + len(window) <= base + 1:
            nxt = next(source, None)
            if nxt is None:
                exhausted = True
                break
            window.append(nxt)
            if len(window) > 2:
                window.pop(0)
                first_index += 1
                flows = None
        at = base - first_index
        fraction = position - base
        if at >= len(window) - 1 or fraction < _ON_FRAME:
            # On a source frame, or past the last one (hold it).
            yield window[min(max(at, 0), len(window) - 1)]
            continue
        if flows is None:
            flows = pair(window[0], window[1])
        yield interpolate(flows, fraction)
