"""Whole videos through Python: ffmpeg decodes into a pipe, each frame is changed here (remapped,
drawn on), a second ffmpeg encodes (the input's sound along), and progress is counted in frames.

Runs on a worker thread; a cancelled call stops between frames (both ffmpeg processes are
stopped by the frame pipe's context managers, and the partial file removed).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Final

import anyio.from_thread

from core import Progress
from core.errors import FfmpegFailed, MediaError
from core.ffmpeg import DETERMINISTIC_H264, FrameWriter, read_frames
from core.media import OpenedMedia

from .opencv import Frame

__all__ = ["ENCODE", "NoFrames", "first_frame_decodes", "map_video"]

# Same bytes for the same frames (one thread, bit-exact), at a preset a 2-core machine keeps up with.
ENCODE: Final = (*DETERMINISTIC_H264, "-preset", "veryfast")
_REPORT_EVERY: Final = 10


class NoFrames(MediaError):
    code = "no_frames"
    default_hint = "The video holds no picture frames that decode; check the asset, or send another."


def map_video(
    media: OpenedMedia,
    out: Path,
    out_hw: tuple[int, int],
    change: Callable[[int, Frame], Frame],
    progress: Progress,
    start: float = 0.05,
    share: float = 0.9,
) -> int:
    """Write ``change(index, frame)`` of every frame of ``media`` to ``out``; the frame count."""
    info = media.info
    assert info.width and info.height
    expected = max(1, round((info.duration_s or 0.0) * (info.fps or 0.0)))
    with (
        read_frames(
            media.path, width=info.width, height=info.height, input_args=media.input_args[:-2]
        ) as reader,
        FrameWriter(
            out,
            width=out_hw[1],
            height=out_hw[0],
            fps=info.fps or 25.0,
            audio_from=media.path if info.has_audio else None,
            audio_input_args=media.input_args[:-2],
            video_args=ENCODE,
        ) as writer,
    ):
        try:
            for index, frame in enumerate(reader):
                anyio.from_thread.check_cancelled()
                writer.write(change(index, frame))
                if index % _REPORT_EVERY == 0:
                    done = min(1.0, (index + 1) / expected)
                    message = f"frame {index + 1} of ~{expected}"
                    anyio.from_thread.run(progress.report, start + share * done, message)
        except FfmpegFailed as failed:
            if reader.frames_read:
                raise
            # ffmpeg fails at once on a stream with no frame to decode: say what is wrong.
            raise NoFrames(
                "the video decoded to no frames", value=media.ref.uri, details=failed.details
            ) from failed
        if writer.frames_written == 0:
            raise NoFrames("the video decoded to no frames", value=media.ref.uri)
    return writer.frames_written


def first_frame_decodes(media: OpenedMedia) -> bool:
    """Whether ffmpeg decodes at least one frame of ``media`` (it stops after that frame)."""
    info = media.info
    width, height = info.width or 16, info.height or 16
    try:
        with read_frames(media.path, width=width, height=height, input_args=media.input_args[:-2]) as reader:
            return next(iter(reader), None) is not None
    except FfmpegFailed:
        return False
