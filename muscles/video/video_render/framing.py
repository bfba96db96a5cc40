"""The output frame's shape and how a picture of another shape fills it.

``aspect`` (16:9, 9:16, 1:1, 4:5) sets the output's shape from its height (else its width);
each clip then fills its box by ``pad`` (bars), ``crop`` (cover, cut the overflow) or
``blur`` (the picture whole, over a blurred, cropped copy of itself).
"""

from __future__ import annotations

from muscles.video.timeline import ASPECTS
from muscles.video.timeline.editing import Fit

__all__ = ["aspect_size", "even", "fit_chains"]


def even(value: float) -> int:
    """The nearest even size of at least 2 (yuv420p needs even sizes)."""
    return max(2, 2 * round(value / 2))


def aspect_size(
    aspect: str, width: int, height: int, *, width_given: bool, height_given: bool
) -> tuple[int, int]:
    """The output size of shape ``aspect``: from the height, or from the width when only the
    width was asked for."""
    across, down = ASPECTS[aspect]
    if width_given and not height_given:
        return even(width), even(width * down / across)
    return even(height * across / down), even(height)


def fit_chains(source: str, out: str, width: int, height: int, fit: Fit, inner: str) -> list[str]:
    """Chains taking ``[source]`` to ``[out]``, a ``width`` x ``height`` picture filled by ``fit``
    (``inner`` prefixes the labels the blur needs inside)."""
    cover = f"scale={width}:{height}:force_original_aspect_ratio=increase,crop={width}:{height}"
    contain = f"scale={width}:{height}:force_original_aspect_ratio=decrease"
    if fit == "crop":
        return [f"[{source}]{cover},setsar=1[{out}]"]
    if fit == "pad":
        return [f"[{source}]{contain},pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,setsar=1[{out}]"]
    radius = max(2, min(width, height) // 20)
    back, front = f"{inner}b", f"{inner}f"
    return [
        f"[{source}]split[{back}0][{front}0]",
        f"[{back}0]{cover},boxblur=luma_radius={radius}:luma_power=2[{back}]",
        f"[{front}0]{contain}[{front}]",
        f"[{back}][{front}]overlay=x=(W-w)/2:y=(H-h)/2,setsar=1[{out}]",
    ]
