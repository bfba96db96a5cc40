"""One pass over the video: find the marker, move the pen, draw the strokes so far on the
frame, encode it. Blocking (it runs on a worker thread); a cancelled call stops between frames."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import anyio.from_thread
import cv2
import numpy as np
import numpy.typing as npt

from core import Progress
from core.errors import FfmpegFailed, MediaError
from core.ffmpeg import DETERMINISTIC_H264, FrameWriter, read_frames
from core.media import OpenedMedia

from .models import Marker, Pen, Strokes
from .pen import PenTracker
from .tracking import find_marker

__all__ = ["NoFrames", "Traced", "trace"]

ENCODE: Final = (*DETERMINISTIC_H264, "-preset", "veryfast")
_INK: Final = (0, 255, 255)  # cyan on the picture: it stands out from an orange marker
_REPORT_EVERY: Final = 10


class NoFrames(MediaError):
    code = "no_frames"
    default_hint = "The video holds no picture frames that decode; check the asset, or send another."


@dataclass(frozen=True)
class Traced:
    drawing: Strokes
    frames: int
    frames_with_marker: int


def _draw(frame: npt.NDArray[np.uint8], tracker: PenTracker, thickness: int) -> npt.NDArray[np.uint8]:
    canvas = frame.copy()
    for stroke in tracker.strokes:
        if len(stroke.points) > 1:
            line = np.array([[round(p.x), round(p.y)] for p in stroke.points], np.int32)
            cv2.polylines(canvas, [line], False, _INK, thickness, cv2.LINE_AA)
    return canvas


def trace(
    media: OpenedMedia, out: Path, marker: Marker, pen: Pen, thickness: int, progress: Progress
) -> Traced:
    info = media.info
    assert info.width and info.height
    fps = info.fps or 25.0
    tracker = PenTracker(pen, info.width, info.height, fps)
    expected = max(1, round((info.duration_s or 0.0) * fps))
    seen = 0
    pinned = media.input_args[:-2]
    with (
        read_frames(media.path, width=info.width, height=info.height, input_args=pinned) as reader,
        FrameWriter(
            out,
            width=info.width,
            height=info.height,
            fps=fps,
            audio_from=media.path if info.has_audio else None,
            audio_input_args=pinned,
            video_args=ENCODE,
        ) as writer,
    ):
        try:
            for index, frame in enumerate(reader):
                anyio.from_thread.check_cancelled()
                centroid = find_marker(frame, marker)
                seen += centroid is not None
                tracker.update(index, centroid)
                writer.write(_draw(frame, tracker, thickness))
                if index % _REPORT_EVERY == 0:
                    done = min(1.0, (index + 1) / expected)
                    anyio.from_thread.run(
                        progress.report, 0.05 + 0.85 * done, f"frame {index + 1} of ~{expected}"
                    )
        except FfmpegFailed as failed:
            if reader.frames_read:
                raise
            raise NoFrames(
                "the video decoded to no frames", value=media.ref.uri, details=failed.details
            ) from failed
        if writer.frames_written == 0:
            raise NoFrames("the video decoded to no frames", value=media.ref.uri)
    # A stroke of one point is a touch between two travels, not a line.
    strokes = [stroke for stroke in tracker.strokes if len(stroke.points) > 1]
    drawing = Strokes(width=info.width, height=info.height, fps=fps, strokes=strokes)
    return Traced(drawing, writer.frames_written, seen)
