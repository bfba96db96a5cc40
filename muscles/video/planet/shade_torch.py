"""The surface shader in torch (CUDA when a device is present, else the CPU): the arithmetic of
:mod:`.shade_numpy`, step for step (:meth:`TorchShader.geometry` once per view,
:meth:`TorchShader.compose` per frame), so both paths give the same frames up to float rounding.

torch is the optional ``gpu`` extra: :func:`torch_device` says whether (and where) it runs.
"""

from __future__ import annotations

import functools
import importlib
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from muscles.video.planet.shade_numpy import AMBIENT, HALO_WIDTH, RIM_POWER, RIM_SHARE
from muscles.video.planet.surface import Material

__all__ = ["TorchGeometry", "TorchShader", "torch_device"]


@functools.cache
def _torch() -> Any:
    try:
        return importlib.import_module("torch")
    except ImportError:
        return None


def torch_device(prefer_cuda: bool = True) -> str | None:
    """``"cuda"`` or ``"cpu"`` where torch imports (cuda only when asked and present), else None."""
    torch = _torch()
    if torch is None:
        return None
    return "cuda" if prefer_cuda and torch.cuda.is_available() else "cpu"


@dataclass(frozen=True)
class TorchGeometry:
    """:class:`.shade_numpy.Geometry` as tensors on the shader's device."""

    shape: tuple[int, int]
    glow: Any
    hit: Any
    lat: Any
    lon: Any
    lit: Any


class TorchShader:
    """A material's arrays moved to ``device`` once; :meth:`shade` renders one frame."""

    def __init__(self, m: Material, device: str) -> None:
        self.torch = torch = _torch()
        self.device = device
        self.m = m

        def put(array: NDArray[np.float32]) -> Any:
            return torch.from_numpy(np.ascontiguousarray(array)).to(device)

        self.base, self.glow, self.light = put(m.base), put(m.glow), put(m.light)
        self.band_freq, self.band_warp = put(m.band_freq), put(m.band_warp)
        self.band_lon_freq, self.band_phase = put(m.band_lon_freq), put(m.band_phase)
        self.speckle = put(m.speckle)
        self.mask = put(m.mask) if m.mask is not None else None
        self.mask_color = put(m.mask_color)

    def rays(self, rays: NDArray[np.float32]) -> Any:
        """Ray directions on the device."""
        return self.torch.from_numpy(rays).to(self.device)

    def geometry(self, rays: Any, origin: NDArray[np.float64]) -> TorchGeometry:
        torch, m = self.torch, self.m
        with torch.inference_mode():
            o32 = origin.astype(np.float32)
            o = torch.from_numpy(o32).to(self.device)
            b = rays @ o
            c = float(np.float32(o32 @ o32 - 1.0))
            disc = b * b - c
            t = -b - torch.sqrt(torch.clamp(disc, min=0.0))
            hit = (disc >= 0) & (t > 0)
            n = o + t[..., None] * rays
            n = n / torch.linalg.vector_norm(n, dim=-1, keepdim=True)
            facing = torch.clamp(-torch.sum(rays * n, dim=-1), 0.0, 1.0)
            rim = (1.0 - facing) ** RIM_POWER * (m.glow_intensity * RIM_SHARE)
            closest = torch.sqrt(torch.clamp(c + 1.0 - torch.where(b < 0, b * b, 0.0), min=1.0))
            halo = m.glow_intensity * torch.exp(-(closest - 1.0) / HALO_WIDTH)
            glow = (self.glow * torch.where(hit, rim, halo)[..., None]).reshape(-1, 3)
            index = torch.nonzero(hit.reshape(-1)).squeeze(1)
            normals = n.reshape(-1, 3)[index]
            lit = AMBIENT + (1.0 - AMBIENT) * torch.clamp(normals @ self.light, min=0.0)
            lat = torch.asin(torch.clamp(normals[:, 2], -1.0, 1.0))
            lon = torch.atan2(normals[:, 1], normals[:, 0])
            return TorchGeometry(tuple(rays.shape[:2]), glow, index, lat, lon, lit)

    def compose(self, g: TorchGeometry, time_s: float) -> NDArray[np.uint8]:
        torch, m = self.torch, self.m
        with torch.inference_mode():
            lon = g.lon - float(np.float32(m.spin_rad_per_s * time_s))
            surface = self.base * (g.lit * (1.0 + m.noise_amplitude * self._noise(g.lat, lon)))[:, None]
            if self.mask is not None:
                line = self._lookup(self.mask, g.lat, lon)[:, None]
                surface = surface * (1.0 - line) + self.mask_color * (g.lit[:, None] * line)
            colour = g.glow.clone()
            colour[g.hit] += surface
            frame = (torch.clamp(colour, 0.0, 1.0) * 255.0 + 0.5).to(torch.uint8)
            return frame.reshape(*g.shape, 3).cpu().numpy()  # type: ignore[no-any-return]

    def shade(self, rays: Any, origin: NDArray[np.float64], time_s: float) -> NDArray[np.uint8]:
        return self.compose(self.geometry(rays, origin), time_s)

    def _noise(self, lat: Any, lon: Any) -> Any:
        m = self.m
        if m.noise == "bands":
            total = self.torch.zeros_like(lat)
            for k in range(m.band_freq.size):
                bend = self.band_warp[k] * self.torch.sin(self.band_lon_freq[k] * lon + self.band_phase[k, 0])
                total = total + self.torch.sin(self.band_freq[k] * lat + bend + self.band_phase[k, 1])
            return total / float(m.band_freq.size)
        if m.noise == "speckle":
            return self._lookup(self.speckle, lat, lon)
        return self.torch.zeros_like(lat)

    def _lookup(self, texture: Any, lat: Any, lon: Any) -> Any:
        rows, cols = texture.shape
        row = self.torch.clamp(((lat + math.pi / 2) / math.pi * rows).long(), 0, rows - 1)
        col = (self.torch.remainder(lon + math.pi, 2 * math.pi) / (2 * math.pi) * cols).long() % cols
        return texture[row, col]
