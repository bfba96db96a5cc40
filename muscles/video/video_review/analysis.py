"""Scene detection on a stored video: frames decoded small, scored, cuts picked, a JSON report.

Runs on a worker thread (blocking frame pipe); a cancelled call stops ffmpeg between frames.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from core.ffmpeg import FrameReader
from core.media import OpenedMedia

from .scenes import FrameScore, pick_cuts, scores

__all__ = ["ANALYSIS_WIDTH", "SceneReport", "detect"]

# Cuts need every frame, not every pixel: histograms of a 96-pixel-wide frame score like the
# full frame's and decode, pipe and bin in a fraction of the time.
ANALYSIS_WIDTH: Final = 96


@dataclass(frozen=True)
class SceneReport:
    fps: float
    frame_count: int
    duration_s: float
    cuts: list[FrameScore]

    def document(self, uri: str, threshold: float, min_scene_s: float) -> str:
        """The JSON stored beside the video: cuts (frame, time, score) and the scenes between."""
        body = {
            "uri": uri,
            "method": "hsv-histogram",
            "fps": self.fps,
            "frame_count": self.frame_count,
            "duration_s": self.duration_s,
            "threshold": threshold,
            "min_scene_s": min_scene_s,
            "cuts": [
                {"time_s": self.time(cut.frame), "frame": cut.frame, "score": round(cut.score, 4)}
                for cut in self.cuts
            ],
            "scenes": [{"start_s": start, "end_s": end} for start, end in self.scenes()],
        }
        return json.dumps(body, indent=2) + "\n"

    def time(self, frame: int) -> float:
        return round(frame / self.fps, 6)

    def scenes(self) -> list[tuple[float, float]]:
        bounds = [0.0, *(self.time(cut.frame) for cut in self.cuts), self.duration_s]
        return [(start, end) for start, end in itertools.pairwise(bounds) if end > start]


def detect(
    media: OpenedMedia,
    *,
    threshold: float,
    min_scene_s: float,
    check_cancelled: Callable[[], None],
    on_frame: Callable[[int], None],
) -> SceneReport:
    info = media.info
    assert info.fps is not None and info.width and info.height  # a video, opened with need="video"
    width = ANALYSIS_WIDTH
    height = max(2, round(width * info.height / info.width / 2) * 2)
    counted = 0

    def frames(reader: FrameReader) -> Iterator[npt.NDArray[np.uint8]]:
        nonlocal counted
        for frame in reader:
            check_cancelled()
            counted += 1
            on_frame(counted)
            yield frame

    # fps resamples to the probed rate, so frame n is at n / fps even for variable-rate files.
    with FrameReader(
        media.path, width=width, height=height, fps=info.fps, input_args=media.input_args[:-2]
    ) as reader:
        cuts = pick_cuts(
            scores(frames(reader)), threshold=threshold, min_gap_frames=max(1, round(min_scene_s * info.fps))
        )
    return SceneReport(fps=info.fps, frame_count=counted, duration_s=round(counted / info.fps, 6), cuts=cuts)
