"""Which engine remaps a fixed view of a video: our frame pipe, or ffmpeg's own ``v360`` filter.

v360 follows the same conventions as ours for a flat view (yaw right, pitch up, roll and both
fields of view; measured: MAD 0.5 levels against our projection of the same picture, the
difference of its pixel-centre rounding and its YUV sampling), so for a fixed view the choice
is only about speed. A moving camera (``reframe``) always takes the frame pipe: v360 would
have to rebuild its maps on a command every frame.
"""

from __future__ import annotations

from typing import Final

from core.media import MediaInfo
from muscles.video.frames import Interpolation, Path, View

from .video import ENCODE

__all__ = ["V360_ENCODE", "choose_v360", "v360_filter"]

V360_ENCODE: Final = ENCODE
_V360_INTERP: Final = {"bilinear": "line", "bicubic": "cube", "nearest": "near"}


def v360_filter(view: View, out_hw: tuple[int, int], interpolation: Interpolation) -> str:
    return (
        f"v360=input=e:output=flat:yaw={view.yaw:g}:pitch={view.pitch:g}:roll={view.roll:g}"
        f":h_fov={view.h_fov:g}:v_fov={view.v_fov:g}:w={out_hw[1]}:h={out_hw[0]}"
        f":interp={_V360_INTERP[interpolation]}"
    )


def choose_v360(path: Path, info: MediaInfo) -> bool:
    """True when ffmpeg's v360 should remap this fixed view of a video instead of our pipe.

    The rule, from bench/video360_bench.py (see bench/README.md): TODO measured figures.
    """
    return info.is_video and path == "opencv-cpu"
