"""The ``flow`` preset's frame loop: source frames in through core's frame pipe, each output
frame taken from its two neighbours with :mod:`.flow` (flows computed once per neighbour pair,
however many frames fall between them), frames out through the pipe with the slowed sound."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
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
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="flow") as pool,
    ):
        for done, frame in enumerate(_frames(iter(reader), retime, pool), start=1):
            writer.write(frame)
            on_frame(done)


def _frames(source: Iterator[Frame], retime: Retime, pool: Executor) -> Iterator[Frame]:
    """The output frames in order, reading the source only as far as they need. The flows of
    the next neighbour pair are computed on ``pool`` while this pair's frames are warped and
    encoded (OpenCV releases the GIL, so that is a second core at work)."""
    frames: dict[int, Frame] = {}
    pairs: dict[int, Future[FlowPair]] = {}
    read = 0  # source frames read so far
    exhausted = False
    for index in range(retime.frame_count):
        position = retime.source_position(index)
        base = math.floor(position + _ON_FRAME)
        while not exhausted and read <= base + 2:  # one frame beyond the pair, for the next pair
            frame = next(source, None)
            if frame is None:
                exhausted = True
            else:
                frames[read] = frame
                read += 1
        last = read - 1
        for old in [k for k in frames if k < min(base, last)]:
            del frames[old]
        for old in [k for k in pairs if k < base]:
            pairs.pop(old).cancel()
        fraction = position - base
        if base >= last or fraction < _ON_FRAME:
            # On a source frame, or past the last one (hold it).
            yield frames[min(base, last)]
            continue
        for k in (base, base + 1):
            if k + 1 <= last and k not in pairs:
                pairs[k] = pool.submit(pair, frames[k], frames[k + 1])
        yield interpolate(pairs[base].result(), fraction)
