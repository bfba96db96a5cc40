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
from muscles.video.frames import ENCODE, Interpolation, Path, View

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

    The rule: a video, a fixed view, and no GPU path (torch on CUDA) -> v360; else the pipe.
    Measured with bench/video360_bench.py on the 2-core development machine (bench/README.md):
    a 10 s 1920x960 clip to 1280x720 took 15.0 s on the pipe and 18.6 s with raw v360 in one
    run, 16.8 s through this tool on v360, i.e. equal within that machine's noise; per frame
    in steady state v360 remapped a 3840x1920 frame in 19.9 ms against our cv2.remap's 26.5 ms
    (plus 22 MB of raw RGB per frame through two pipes). One process and no raw frames wins
    the tie. On CUDA the remap is nearly free, so a GPU keeps the pipe (untested: no GPU here).
    """
    return info.is_video and path == "opencv-cpu"
