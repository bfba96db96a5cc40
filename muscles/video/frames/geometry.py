"""Where each output pixel of a 360 projection samples its source: remap coordinates.

The conventions are py360convert's, so a view here and there is the same picture: yaw turns
right for positive degrees, pitch looks up, roll turns the picture in its plane with the sign
py360convert's ``in_rot_deg`` has; a perspective plane spans ``[-tan(fov/2), tan(fov/2)]``
from the first pixel centre to the last; equirectangular pixel centres sit at
``((x + 0.5) / w - 0.5) * 2pi`` longitude and ``-((y + 0.5) / h - 0.5) * pi`` latitude;
cube faces are Front, Right, Back, Left, Up, Down, each spanning ``[-0.5, 0.5]``.
Coordinates are float32 source pixel positions (column, row), as ``cv2.remap`` takes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

__all__ = [
    "FACES",
    "Coordinates",
    "View",
    "cube_xyz",
    "cubemap_from_equirect",
    "equirect_from_cubemap",
    "equirect_from_perspective",
    "perspective_from_equirect",
    "view_rotation",
]

Coordinates = tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]
FACES: Final = ("F", "R", "B", "L", "U", "D")
_UP: Final = 4
_DOWN: Final = 5


@dataclass(frozen=True)
class View:
    """A perspective camera in the sphere, in degrees (hashable: it keys the table cache)."""

    yaw: float = 0.0
    pitch: float = 0.0
    roll: float = 0.0
    h_fov: float = 90.0
    v_fov: float = 60.0


def _axis_rotation(rad: float, axis: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Rodrigues: the matrix of a rotation by ``rad`` about the unit ``axis`` (scipy's from_rotvec)."""
    x, y, z = axis / np.linalg.norm(axis)
    k = np.array([[0.0, -z, y], [z, 0.0, -x], [-y, x, 0.0]])
    matrix: npt.NDArray[np.float64] = np.eye(3) + np.sin(rad) * k + (1.0 - np.cos(rad)) * (k @ k)
    return matrix


def view_rotation(view: View) -> npt.NDArray[np.float64]:
    """M such that a camera-space row vector ``p`` points at ``p @ M`` in the sphere."""
    u = -np.deg2rad(view.yaw)
    v = np.deg2rad(view.pitch)
    rx = _axis_rotation(v, np.array([1.0, 0.0, 0.0]))
    ry = _axis_rotation(u, np.array([0.0, 1.0, 0.0]))
    ri = _axis_rotation(np.deg2rad(view.roll), np.array([0.0, 0.0, 1.0]) @ rx @ ry)
    return rx @ ry @ ri


def _plane_extent(view: View) -> tuple[float, float]:
    return float(np.tan(np.deg2rad(view.h_fov) / 2)), float(np.tan(np.deg2rad(view.v_fov) / 2))


def _to_equirect(xyz: npt.NDArray[np.float32], in_h: int, in_w: int) -> Coordinates:
    return _lon_lat_to_pixels(
        np.ascontiguousarray(xyz[..., 0]),
        np.ascontiguousarray(xyz[..., 1]),
        np.ascontiguousarray(xyz[..., 2]),
        in_h,
        in_w,
    )


def _lon_lat_to_pixels(
    x: npt.NDArray[np.float32], y: npt.NDArray[np.float32], z: npt.NDArray[np.float32], in_h: int, in_w: int
) -> Coordinates:
    """Equirect pixel positions of directions given as contiguous component arrays (numpy's
    trigonometry runs several times faster on contiguous arrays than on strided views)."""
    lon = np.arctan2(x, z)
    lat = np.arctan2(y, np.hypot(x, z))
    col = (lon / (2 * np.pi) + 0.5) * in_w - 0.5
    row = (-lat / np.pi + 0.5) * in_h - 0.5
    return col.astype(np.float32), row.astype(np.float32)


def _equirect_xyz(out_h: int, out_w: int) -> npt.NDArray[np.float64]:
    lon = ((np.arange(out_w) + 0.5) / out_w - 0.5) * 2 * np.pi
    lat = -((np.arange(out_h) + 0.5) / out_h - 0.5) * np.pi
    lon_grid, lat_grid = np.meshgrid(lon, lat)
    cos_lat = np.cos(lat_grid)
    return np.stack([cos_lat * np.sin(lon_grid), np.sin(lat_grid), cos_lat * np.cos(lon_grid)], -1)


def perspective_from_equirect(view: View, in_hw: tuple[int, int], out_hw: tuple[int, int]) -> Coordinates:
    """For each pixel of an ``out_hw`` perspective view, its position in the equirect image."""
    out_h, out_w = out_hw
    x_max, y_max = _plane_extent(view)
    xs = np.linspace(-x_max, x_max, num=out_w, dtype=np.float32)
    ys = -np.linspace(-y_max, y_max, num=out_h, dtype=np.float32)
    m = view_rotation(view).astype(np.float32)
    # Each component of (x, y, 1) @ M is an outer sum: three broadcasts, no (h, w, 3) array.
    x, y, z = (xs[None, :] * m[0, k] + (ys[:, None] * m[1, k] + m[2, k]) for k in range(3))
    return _lon_lat_to_pixels(x, y, z, *in_hw)


def cube_xyz(face_w: int) -> npt.NDArray[np.float32]:
    """Points on the unit cube for a horizontal strip of six faces (F R B L U D), face_w each."""
    rng = np.linspace(-0.5, 0.5, num=face_w, dtype=np.float32)
    x, y = np.meshgrid(rng, -rng)
    half = np.full_like(x, 0.5)
    faces = [
        (x, y, half),
        (half, y, x[:, ::-1]),
        (x[:, ::-1], y, -half),
        (-half, y, x),
        (x, half, y[::-1, :]),
        (x, -half, y),
    ]
    return np.concatenate([np.stack(face, -1) for face in faces], axis=1)


def cubemap_from_equirect(face_w: int, in_hw: tuple[int, int]) -> Coordinates:
    """For each pixel of a six-face horizontal strip, its position in the equirect image."""
    return _to_equirect(cube_xyz(face_w), *in_hw)


def equirect_from_perspective(view: View, pers_hw: tuple[int, int], out_hw: tuple[int, int]) -> Coordinates:
    """For each pixel of an equirect image, its position in a perspective view (outside: -2)."""
    pers_h, pers_w = pers_hw
    x_max, y_max = _plane_extent(view)
    camera = _equirect_xyz(*out_hw) @ view_rotation(view).T
    z = camera[..., 2]
    ahead = z > 1e-9
    safe_z = np.where(ahead, z, 1.0)
    px, py = camera[..., 0] / safe_z, camera[..., 1] / safe_z
    col = (px + x_max) / (2 * x_max) * (pers_w - 1)
    row = (y_max - py) / (2 * y_max) * (pers_h - 1)
    # Behind the camera nothing is seen: point far outside so the border (black) is sampled.
    col = np.where(ahead, col, -2.0)
    row = np.where(ahead, row, -2.0)
    return col.astype(np.float32), row.astype(np.float32)


def equirect_from_cubemap(face_w: int, out_hw: tuple[int, int]) -> Coordinates:
    """For each pixel of an equirect image, its position in a vertical stack of the six faces,
    each padded by one pixel of its neighbours (see ``layouts.padded_faces``), as py360convert's
    c2e samples: the face a direction hits is the cube axis it is longest along."""
    xyz = _equirect_xyz(*out_hw)
    x, y, z = xyz[..., 0], xyz[..., 1], xyz[..., 2]
    ax, ay, az = np.abs(x), np.abs(y), np.abs(z)
    face = np.where(
        (ay >= ax) & (ay >= az),
        np.where(y > 0, _UP, _DOWN),
        np.where(az >= ax, np.where(z > 0, 0, 2), np.where(x > 0, 1, 3)),
    )
    half = face_w / 2
    col = np.empty(x.shape)
    row = np.empty(x.shape)
    # Each face's (col, row) in [-0.5, 0.5] units of the face: the inverse of ``cube_xyz``.
    for index, (cx, cy, depth) in enumerate(
        [(x, -y, az), (-z, -y, ax), (-x, -y, az), (z, -y, ax), (x, z, ay), (x, -z, ay)]
    ):
        mask = face == index
        d = np.where(mask, depth, 1.0)
        col[mask] = (cx / d)[mask] * half
        row[mask] = (cy / d)[mask] * half
    # Face pixel centres span -0.5..0.5 from the first to the last: map to pixel indices,
    # then into the padded stack (one pixel of padding on every side of every face).
    col = (col + half) * (face_w - 1) / face_w
    row = (row + half) * (face_w - 1) / face_w
    col = np.clip(col, -1.0, face_w) + 1
    row = np.clip(row, -1.0, face_w) + 1 + face * (face_w + 2)
    return col.astype(np.float32), row.astype(np.float32)
