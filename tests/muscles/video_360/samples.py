"""What video_360's declared examples read, stored in media_v2: a 360 picture of a smooth
pattern (PNG from numpy, the same bytes everywhere), its dice cubemap, and a 2:1 video
(x264 bit-exact, so the same bytes on every CPU)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from muscles.video.frames import Projector, TableCache
from tests.media_samples import write_silent_video

from .patterns import sphere_pattern

REGISTERED = ("samples/sphere.png", "samples/sphere-cube.png", "samples/sphere.mp4")


def write_png(path: Path, rgb: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    ok, encoded = cv2.imencode(".png", np.ascontiguousarray(rgb[..., ::-1]))
    assert ok
    path.write_bytes(encoded.tobytes())
    return path


def write_samples(import_root: Path) -> None:
    sphere = sphere_pattern(256, 512)
    write_png(import_root / "samples" / "sphere.png", sphere)
    cube = Projector(backend="opencv", cache=TableCache()).cubemap(sphere, 64, "dice")
    write_png(import_root / "samples" / "sphere-cube.png", cube)
    write_silent_video(import_root / "samples" / "sphere.mp4", seconds=1.0, size="320x160")
