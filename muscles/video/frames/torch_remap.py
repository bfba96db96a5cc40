"""The torch path: ``grid_sample`` on the remap table's coordinates, on CUDA when there is one.

torch is the optional ``gpu`` extra: nothing here imports it until :func:`torch_device` is
asked, and a process without it uses the OpenCV path. Results equal the OpenCV path's within
1/255 on average (tests/muscles/video_360/test_torch_path.py): both sample the same
coordinates, bilinear or bicubic (a = -0.75 in both), with the same borders.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from .opencv import Frame
from .tables import RemapTable

__all__ = ["remap_torch", "torch_device"]

# Columns added on each side of an equirect frame so the wrap round is plain sampling.
_WRAP_COLUMNS = 2


@functools.cache
def _torch() -> Any:
    try:
        import torch
    except ImportError:
        return None
    return torch


def torch_device(allow_cpu: bool = False) -> str | None:
    """ "cuda" when torch imports and sees a GPU; "cpu" only if ``allow_cpu`` (tests, benches)."""
    torch = _torch()
    if torch is None:
        return None
    if torch.cuda.is_available():
        return "cuda"
    return "cpu" if allow_cpu else None


def _grid(table: RemapTable, device: str) -> Any:
    """The table's coordinates as grid_sample's normalised grid (align_corners=False), kept."""
    if device not in table.grids:
        torch = _torch()
        height, width = table.source_hw[0] + 2 * table.pole_rows, table.source_hw[1]
        map_x = table.map_x.astype(np.float64)
        if table.border == "sphere":
            map_x = np.mod(map_x + 0.5, width) - 0.5 + _WRAP_COLUMNS
            width += 2 * _WRAP_COLUMNS
        gx = (map_x + 0.5) / width * 2 - 1
        gy = (table.map_y.astype(np.float64) + 0.5) / height * 2 - 1
        grid = np.stack([gx, gy], -1).astype(np.float32)[None]
        table.grids[device] = torch.from_numpy(grid).to(device)
    return table.grids[device]


def remap_torch(frame: Frame, table: RemapTable, interpolation: str, device: str) -> Frame:
    torch = _torch()
    functional = torch.nn.functional
    with torch.inference_mode():
        source = torch.from_numpy(np.ascontiguousarray(frame)).to(device)
        if table.pole_rows:
            rows, half = table.pole_rows, source.shape[1] // 2
            top = torch.roll(source[:rows].flip(0), half, dims=1)
            bottom = torch.roll(source[-rows:].flip(0), half, dims=1)
            source = torch.cat([top, source, bottom], 0)
        if table.border == "sphere":
            source = torch.cat([source[:, -_WRAP_COLUMNS:], source, source[:, :_WRAP_COLUMNS]], 1)
        image = source.permute(2, 0, 1)[None].float()
        mode = {"bilinear": "bilinear", "bicubic": "bicubic", "nearest": "nearest"}[interpolation]
        padding = "border" if table.border == "sphere" else "zeros"
        out = functional.grid_sample(
            image, _grid(table, device), mode=mode, padding_mode=padding, align_corners=False
        )
        out = out[0].permute(1, 2, 0).round().clamp(0, 255).to(torch.uint8)
        result: Frame = out.cpu().numpy()
    return result
