"""How a picture of another shape fills its box (the output frame, whose shape ``aspect`` sets
in :func:`muscles.video.timeline.output_size`, or a layer's inset): by ``pad`` (bars), ``crop`` (cover, cut the overflow) or
``blur`` (the picture whole, over a blurred, cropped copy of itself).
"""

from __future__ import annotations

from muscles.video.timeline.editing import Fit

__all__ = ["fit_chains"]


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
