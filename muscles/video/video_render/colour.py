"""A clip's (or the output's) colour: a .cube LUT, then exposure, contrast, saturation and
white balance, each step left out when it changes nothing."""

from __future__ import annotations

from pathlib import Path

from muscles.video.timeline import ColorGrade
from muscles.video.video_render.curves import number
from muscles.video.video_render.escape import option_value

__all__ = ["grade_steps"]

_NEUTRAL_K = 6500.0


def grade_steps(grade: ColorGrade | None, lut: Path | None) -> list[str]:
    """Filters for ``grade`` (``lut``: the local file of its LUT), ending back in yuv420p."""
    if grade is None or grade.is_identity():
        return []
    steps = []
    if lut is not None:
        # Into float RGB and back without loss (chroma repeated, not interpolated; exact
        # rounding): an identity LUT then gives back the very frames it got.
        steps += [
            "scale=flags=neighbor+accurate_rnd+full_chroma_int",
            "format=gbrpf32le",
            f"lut3d=file={option_value(str(lut))}",
            "scale=flags=neighbor+accurate_rnd+full_chroma_int",
        ]
    if grade.exposure != 0:
        steps.append(f"exposure=exposure={number(grade.exposure)}")
    if grade.contrast != 1 or grade.saturation != 1:
        steps.append(f"eq=contrast={number(grade.contrast)}:saturation={number(grade.saturation)}")
    if grade.temperature != _NEUTRAL_K:
        steps.append(f"colortemperature=temperature={number(grade.temperature)}")
    return [*steps, "format=yuv420p"]
