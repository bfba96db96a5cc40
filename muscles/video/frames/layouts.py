"""Cube faces in and out of pictures: the six-face strip, the cross (dice), 3x2, and the
padded stack that sampling an equirect image from a cubemap reads.

Faces are always handled as a horizontal strip in the order F R B L U D (py360convert's
``horizon``); a layout only decides where each face sits in the picture.
"""

from __future__ import annotations

from typing import Final, Literal

import numpy as np
import numpy.typing as npt

__all__ = [
    "CUBE_LAYOUTS",
    "CubeLayout",
    "face_size",
    "from_layout",
    "layout_size",
    "padded_faces",
    "to_layout",
]

CubeLayout = Literal["horizon", "dice", "3x2"]
Frame = npt.NDArray[np.uint8]

# (column, row) of each face F R B L U D in the layout's grid of faces, and the grid's size.
#   dice:   . U . .      3x2:  F R B      horizon: F R B L U D
#           L F R B            L U D
#           . D . .
CUBE_LAYOUTS: Final[dict[str, tuple[tuple[int, int], list[tuple[int, int]]]]] = {
    "horizon": ((6, 1), [(0, 0), (1, 0), (2, 0), (3, 0), (4, 0), (5, 0)]),
    "dice": ((4, 3), [(1, 1), (2, 1), (3, 1), (0, 1), (1, 0), (1, 2)]),
    "3x2": ((3, 2), [(0, 0), (1, 0), (2, 0), (0, 1), (1, 1), (2, 1)]),
}


def layout_size(layout: CubeLayout, face_w: int) -> tuple[int, int]:
    """(width, height) of a cubemap picture of this layout and face size."""
    (cols, rows), _ = CUBE_LAYOUTS[layout]
    return cols * face_w, rows * face_w


def face_size(layout: CubeLayout, width: int, height: int) -> int | None:
    """The face size of a ``width`` x ``height`` picture of this layout, or None if it is not one."""
    (cols, rows), _ = CUBE_LAYOUTS[layout]
    face_w = width // cols
    return face_w if face_w > 0 and face_w * cols == width and face_w * rows == height else None


def to_layout(strip: Frame, layout: CubeLayout) -> Frame:
    """The six-face strip arranged as ``layout`` (unused cells black)."""
    face_w = strip.shape[0]
    if layout == "horizon":
        return strip
    width, height = layout_size(layout, face_w)
    out = np.zeros((height, width, *strip.shape[2:]), strip.dtype)
    for index, (col, row) in enumerate(CUBE_LAYOUTS[layout][1]):
        out[row * face_w : (row + 1) * face_w, col * face_w : (col + 1) * face_w] = strip[
            :, index * face_w : (index + 1) * face_w
        ]
    return out


def from_layout(picture: Frame, layout: CubeLayout, face_w: int) -> Frame:
    """The six-face strip read from a picture in ``layout``."""
    if layout == "horizon":
        return picture
    faces = [
        picture[row * face_w : (row + 1) * face_w, col * face_w : (col + 1) * face_w]
        for col, row in CUBE_LAYOUTS[layout][1]
    ]
    return np.concatenate(faces, axis=1)


def padded_faces(strip: Frame) -> Frame:
    """The six faces stacked vertically, each with one pixel of its neighbours around it, so
    sampling near an edge blends with the face across it (py360convert's c2e padding)."""
    face_w = strip.shape[0]
    faces = np.stack([strip[:, i * face_w : (i + 1) * face_w] for i in range(6)])
    p = np.zeros((6, face_w + 2, face_w + 2, *strip.shape[2:]), strip.dtype)
    p[:, 1:-1, 1:-1] = faces
    f, r, b, left, u, d = range(6)
    p[f, 0, 1:-1], p[f, -1, 1:-1] = p[u, -2, 1:-1], p[d, 1, 1:-1]
    p[r, 0, 1:-1], p[r, -1, 1:-1] = p[u, -2:0:-1, -2], p[d, 1:-1, -2]
    p[b, 0, 1:-1], p[b, -1, 1:-1] = p[u, 1, -2:0:-1], p[d, -2, -2:0:-1]
    p[left, 0, 1:-1], p[left, -1, 1:-1] = p[u, 1:-1, 1], p[d, -2:0:-1, 1]
    p[u, 0, 1:-1], p[u, -1, 1:-1] = p[b, 1, -2:0:-1], p[f, 1, 1:-1]
    p[d, 0, 1:-1], p[d, -1, 1:-1] = p[f, -2, 1:-1], p[b, -2, -2:0:-1]
    p[f, 1:-1, 0], p[f, 1:-1, -1] = p[left, 1:-1, -2], p[r, 1:-1, 1]
    p[r, 1:-1, 0], p[r, 1:-1, -1] = p[f, 1:-1, -2], p[b, 1:-1, 1]
    p[b, 1:-1, 0], p[b, 1:-1, -1] = p[r, 1:-1, -2], p[left, 1:-1, 1]
    p[left, 1:-1, 0], p[left, 1:-1, -1] = p[b, 1:-1, -2], p[f, 1:-1, 1]
    p[u, 1:-1, 0], p[u, 1:-1, -1] = p[left, 1, 1:-1], p[r, 1, -2:0:-1]
    p[d, 1:-1, 0], p[d, 1:-1, -1] = p[left, -2, -2:0:-1], p[r, -2, 1:-1]
    return p.reshape(6 * (face_w + 2), face_w + 2, *strip.shape[2:])
