"""The surface renderer's parameters, their checks, and what a shader needs from them.

Values are unconstrained in the schema: :func:`check_surface` names the field of every problem
with a hint. :func:`material` turns checked parameters into arrays (colours, the light, the
seeded noise and the overlay mask), made once per render and shared by both shaders.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from muscles.video.planet.errors import PlanetInvalid
from muscles.video.planet.overlay import Overlay, overlay_mask
from muscles.video.timeline import Vec3

__all__ = ["Engine", "Material", "SurfaceParams", "check_surface", "frame_total", "material", "rgb"]

Engine = Literal["auto", "numpy", "torch"]
NoiseKind = Literal["none", "bands", "speckle"]
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_BANDS = 3
_SPECKLE_SHAPE = (64, 128)
MAX_PIXELS = 3840 * 2160
MAX_FRAMES = 36_000


class SurfaceParams(BaseModel):
    """A glowing sphere seen from an orbiting camera, spinning about its north pole."""

    model_config = ConfigDict(extra="forbid")

    base_color: str = Field(default="#3a6ea5", description="Surface colour where fully lit, #RRGGBB")
    glow_color: str = Field(default="#9fd8ff", description="Rim glow and halo colour, #RRGGBB")
    glow_intensity: float = Field(default=1.0, description="0..4; 0 turns rim and halo off")
    light_direction: Vec3 = Field(
        default_factory=lambda: Vec3(x=-0.6, y=-1.0, z=0.5),
        description="Towards the light (not normalised needed); the camera looks along +y from -y",
    )
    camera_distance: float = Field(
        default=3.5, description="Camera distance from the centre in radii, > 1.05"
    )
    fov_deg: float = Field(default=40.0, description="Vertical field of view, 1..150 degrees")
    width: int = Field(default=320, description="Even, 16..3840")
    height: int = Field(default=180, description="Even, 16..2160")
    duration_s: float = Field(default=2.0, description="Seconds, > 0")
    fps: float = Field(default=24.0, description="Frames per second, 1..120")
    rotation_deg_per_s: float = Field(default=12.0, description="Spin about the north pole")
    seed: int = Field(default=0, description="Seed of the surface noise")
    noise: NoiseKind = Field(default="bands", description="Low-amplitude bands, speckle, or none")
    noise_amplitude: float = Field(default=0.06, description="0..0.3: share of the base colour")
    overlay: Overlay | None = Field(default=None, description="Lines drawn on the sphere (contours' overlay)")


def check_surface(params: SurfaceParams) -> None:
    """Raise the first problem of ``params`` as ``planet_invalid`` naming its field."""
    colors = {"base_color": params.base_color, "glow_color": params.glow_color}
    if params.overlay is not None:
        colors["overlay.color"] = params.overlay.color
    for name, value in colors.items():
        if not _HEX.match(value):
            raise PlanetInvalid(f"{name} must be #RRGGBB", value=name, hint='Use a colour such as "#3a6ea5".')
    ranges: dict[str, tuple[float, float, float]] = {
        "glow_intensity": (params.glow_intensity, 0.0, 4.0),
        "camera_distance": (params.camera_distance, 1.05, 1000.0),
        "fov_deg": (params.fov_deg, 1.0, 150.0),
        "fps": (params.fps, 1.0, 120.0),
        "noise_amplitude": (params.noise_amplitude, 0.0, 0.3),
        "duration_s": (params.duration_s, 1e-3, 3600.0),
        "rotation_deg_per_s": (params.rotation_deg_per_s, -3600.0, 3600.0),
    }
    if params.overlay is not None:
        ranges["overlay.width_deg"] = (params.overlay.width_deg, 0.0, 20.0)
    for name, (number, low, high) in ranges.items():
        if not (math.isfinite(number) and low <= number <= high):
            raise PlanetInvalid(f"{name} must be within {low:g}..{high:g}", value=name)
    light = params.light_direction
    if not all(math.isfinite(v) for v in (light.x, light.y, light.z)) or light.x == light.y == light.z == 0:
        raise PlanetInvalid("light_direction must be a finite, non-zero vector", value="light_direction")
    for name, size, high in (("width", params.width, 3840), ("height", params.height, 2160)):
        if not (16 <= size <= high) or size % 2:
            raise PlanetInvalid(
                f"{name} must be even and within 16..{high}",
                value=name,
                hint="H.264 in yuv420p needs even sizes.",
            )
    if frame_total(params.duration_s, params.fps) > MAX_FRAMES:
        raise PlanetInvalid(f"more than {MAX_FRAMES} frames", value="duration_s")
    if params.overlay is not None:
        for index, line in enumerate(params.overlay.lines):
            if any(not (-90 <= p.lat <= 90 and -180 <= p.lon <= 180) for p in line):
                raise PlanetInvalid(
                    "overlay points need lat -90..90, lon -180..180", value=f"overlay.lines.{index}"
                )


def frame_total(duration_s: float, fps: float) -> int:
    """Frames of a ``duration_s`` render at ``fps`` (at least one)."""
    return max(1, round(duration_s * fps))


def rgb(color: str) -> NDArray[np.float32]:
    """#RRGGBB as three floats 0..1."""
    return np.array([int(color[i : i + 2], 16) / 255.0 for i in (1, 3, 5)], dtype=np.float32)


@dataclass(frozen=True)
class Material:
    """Everything per render a shader reads, as float32 NumPy arrays (torch copies them once)."""

    base: NDArray[np.float32]
    glow: NDArray[np.float32]
    glow_intensity: float
    light: NDArray[np.float32]
    spin_rad_per_s: float
    noise: NoiseKind
    noise_amplitude: float
    band_freq: NDArray[np.float32]  # (bands,) cycles over latitude
    band_warp: NDArray[np.float32]  # (bands,) how far longitude bends each band
    band_lon_freq: NDArray[np.float32]
    band_phase: NDArray[np.float32]  # (bands, 2)
    speckle: NDArray[np.float32]
    mask: NDArray[np.float32] | None
    mask_color: NDArray[np.float32]


def material(params: SurfaceParams) -> Material:
    rng = np.random.default_rng(params.seed)
    light = np.array([params.light_direction.x, params.light_direction.y, params.light_direction.z])
    overlay = params.overlay
    return Material(
        base=rgb(params.base_color),
        glow=rgb(params.glow_color),
        glow_intensity=float(params.glow_intensity),
        light=(light / np.linalg.norm(light)).astype(np.float32),
        spin_rad_per_s=math.radians(params.rotation_deg_per_s),
        noise=params.noise,
        noise_amplitude=float(params.noise_amplitude),
        band_freq=rng.integers(2, 9, _BANDS).astype(np.float32),
        band_warp=rng.uniform(0.2, 1.0, _BANDS).astype(np.float32),
        band_lon_freq=rng.integers(1, 4, _BANDS).astype(np.float32),
        band_phase=rng.uniform(0.0, 2 * np.pi, (_BANDS, 2)).astype(np.float32),
        speckle=rng.uniform(-1.0, 1.0, _SPECKLE_SHAPE).astype(np.float32),
        mask=overlay_mask(overlay) if overlay is not None and overlay.lines else None,
        mask_color=rgb(overlay.color) if overlay is not None else np.ones(3, dtype=np.float32),
    )
