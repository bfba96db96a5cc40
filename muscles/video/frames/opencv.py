"""The CPU path: ``cv2.remap`` on fixed-point maps, with the sphere's borders made explicit."""

from __future__ import annotations

from typing import Final

import cv2
import numpy as np
import numpy.typing as npt

from .tables import RemapTable

__all__ = ["INTERPOLATIONS", "Frame", "pole_padded", "remap_cpu"]

Frame = npt.NDArray[np.uint8]
INTERPOLATIONS: Final = {
    "nearest": cv2.INTER_NEAREST,
    "bilinear": cv2.INTER_LINEAR,
    "bicubic": cv2.INTER_CUBIC,
}


def pole_padded(frame: Frame, rows: int) -> Frame:
    """``frame`` with ``rows`` rows above and below that continue over the pole: the rows next
    to it, half a turn round (what lies beyond the top of an equirect picture)."""
    half = frame.shape[1] // 2
    top = np.roll(frame[rows - 1 :: -1], half, axis=1)
    bottom = np.roll(frame[: -rows - 1 : -1], half, axis=1)
    return np.concatenate([top, frame, bottom], axis=0)


def remap_cpu(frame: Frame, table: RemapTable, interpolation: str) -> Frame:
    source = pole_padded(frame, table.pole_rows) if table.pole_rows else frame
    map1, map2 = table.fixed_maps(nearest=interpolation == "nearest")
    # Columns of an equirect picture wrap round; rows never reach a border (see RemapTable.of).
    border = cv2.BORDER_WRAP if table.border == "sphere" else cv2.BORDER_CONSTANT
    out = cv2.remap(source, map1, map2, INTERPOLATIONS[interpolation], borderMode=border)
    return np.asarray(out, dtype=np.uint8)
