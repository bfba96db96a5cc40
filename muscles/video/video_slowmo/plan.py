"""What a retime makes, decided before any work: the source range, the factor, the output
rate and the exact number of output frames, with every bad argument a coded error."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from core.errors import InvalidInput
from core.media import MediaInfo

__all__ = [
    "MAX_FPS",
    "MIN_FACTOR",
    "FactorOutOfRange",
    "Preset",
    "RangeInvalid",
    "Retime",
    "atempo_chain",
    "plan",
]

Preset = Literal["fast", "mci", "flow"]
# The slowest speed video_timeline accepts on a clip, so the edit we return always validates.
MIN_FACTOR = 0.05
MAX_FPS = 240.0


class FactorOutOfRange(InvalidInput):
    code = "factor_out_of_range"
    default_hint = (
        f"Use a slow-motion factor from {MIN_FACTOR} to 1 (0.5 = half speed, 0.25 = quarter speed)."
    )


class RangeInvalid(InvalidInput):
    code = "range_invalid"
    default_hint = "Pick start_s < end_s inside the clip, at least two frames apart; leave them unset for the whole clip."


@dataclass(frozen=True)
class Retime:
    """``start_s .. end_s`` of the source, played at ``factor`` and written at ``fps``."""

    start_s: float
    end_s: float
    factor: float
    source_fps: float
    fps: float

    @property
    def frame_count(self) -> int:
        """Output frames: the range's length stretched by 1/factor, at the output rate."""
        return max(1, round((self.end_s - self.start_s) / self.factor * self.fps))

    @property
    def duration_s(self) -> float:
        return self.frame_count / self.fps

    def source_position(self, index: int) -> float:
        """Where output frame ``index`` falls in the range, in source frames (may be fractional)."""
        return index * self.factor * self.source_fps / self.fps


def plan(
    info: MediaInfo,
    *,
    factor: float,
    fps: float | None,
    start_s: float | None,
    end_s: float | None,
) -> Retime:
    if not (math.isfinite(factor) and MIN_FACTOR <= factor <= 1.0):
        raise FactorOutOfRange(f"factor {factor} is outside {MIN_FACTOR}..1", value=factor)
    source_fps = info.fps or 0.0
    if fps is not None and not (math.isfinite(fps) and 1.0 <= fps <= MAX_FPS):
        raise InvalidInput(
            f"fps {fps} is outside 1..{MAX_FPS:g}",
            value=fps,
            hint=f"Use an output rate from 1 to {MAX_FPS:g} fps.",
        )
    duration = info.duration_s or 0.0
    start = 0.0 if start_s is None else start_s
    end = duration if end_s is None else end_s
    if not (0 <= start < end <= duration + 1e-3) or (end - start) * source_fps < 2:
        raise RangeInvalid(
            f"the range {start}..{end} s is not inside the clip (0..{duration} s) or shorter than two frames",
            value=[start_s, end_s],
        )
    return Retime(
        start_s=start, end_s=min(end, duration), factor=factor, source_fps=source_fps, fps=fps or source_fps
    )


def atempo_chain(factor: float) -> list[str]:
    """``atempo`` steps whose product is ``factor`` (each step must be 0.5..2): pitch kept."""
    steps = []
    while factor < 0.5:
        steps.append("atempo=0.5")
        factor /= 0.5
    if abs(factor - 1.0) > 1e-9:
        steps.append(f"atempo={factor:.6f}")
    return steps
