"""Projections of whole frames: equirect to perspective or cubemap, and back, on a chosen path.

A :class:`Projector` looks its remap table up in the cache (building it on a miss) and
applies it with OpenCV on the CPU, or with torch (CUDA when present). ``path`` names the
one that ran, for tools to report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from . import geometry
from .geometry import View
from .layouts import CubeLayout, from_layout, padded_faces, to_layout
from .opencv import Frame, remap_cpu
from .tables import TABLES, RemapTable, TableCache
from .torch_remap import remap_torch, torch_device

__all__ = ["Backend", "Interpolation", "Path", "Projector", "resolve_path"]

Interpolation = Literal["bilinear", "bicubic", "nearest"]
Backend = Literal["auto", "opencv", "torch"]
Path = Literal["opencv-cpu", "torch-cuda", "torch-cpu"]


def resolve_path(backend: Backend) -> Path:
    """``auto``: torch on CUDA when the gpu extra is installed and a GPU is there, else OpenCV.
    ``torch`` asks for torch even without a GPU (its CPU build: tests and benches)."""
    if backend == "opencv":
        return "opencv-cpu"
    device = torch_device(allow_cpu=backend == "torch")
    if device is None:
        return "opencv-cpu"
    return "torch-cuda" if device == "cuda" else "torch-cpu"


@dataclass
class Projector:
    interpolation: Interpolation = "bilinear"
    backend: Backend = "auto"
    cache: TableCache = TABLES

    def __post_init__(self) -> None:
        self.path: Path = resolve_path(self.backend)

    def apply(self, frame: Frame, table: RemapTable) -> Frame:
        if self.path == "opencv-cpu":
            return remap_cpu(frame, table, self.interpolation)
        return remap_torch(frame, table, self.interpolation, "cuda" if self.path == "torch-cuda" else "cpu")

    def perspective_table(self, view: View, in_hw: tuple[int, int], out_hw: tuple[int, int]) -> RemapTable:
        return self.cache.get(
            ("e2p", view, in_hw, out_hw),
            lambda: RemapTable.of(geometry.perspective_from_equirect(view, in_hw, out_hw), in_hw, "sphere"),
        )

    def perspective(self, frame: Frame, view: View, out_hw: tuple[int, int]) -> Frame:
        """The view ``view`` of an equirect frame, ``out_hw`` pixels."""
        return self.apply(frame, self.perspective_table(view, _hw(frame), out_hw))

    def cubemap(self, frame: Frame, face_w: int, layout: CubeLayout = "horizon") -> Frame:
        """The six cube faces of an equirect frame, ``face_w`` pixels square, laid out."""
        in_hw = _hw(frame)
        table = self.cache.get(
            ("e2c", face_w, in_hw),
            lambda: RemapTable.of(geometry.cubemap_from_equirect(face_w, in_hw), in_hw, "sphere"),
        )
        return to_layout(self.apply(frame, table), layout)

    def equirect_from_cubemap(
        self, picture: Frame, face_w: int, layout: CubeLayout, out_hw: tuple[int, int]
    ) -> Frame:
        """An equirect frame of ``out_hw`` pixels from a cubemap picture in ``layout``."""
        stack = padded_faces(from_layout(picture, layout, face_w))
        table = self.cache.get(
            ("c2e", face_w, out_hw),
            lambda: RemapTable.of(geometry.equirect_from_cubemap(face_w, out_hw), _hw(stack), "inside"),
        )
        return self.apply(stack, table)

    def equirect_from_perspective(self, frame: Frame, view: View, out_hw: tuple[int, int]) -> Frame:
        """An equirect frame of ``out_hw`` pixels holding the perspective ``frame`` where
        ``view`` looked, black elsewhere."""
        in_hw = _hw(frame)
        table = self.cache.get(
            ("p2e", view, in_hw, out_hw),
            lambda: RemapTable.of(geometry.equirect_from_perspective(view, in_hw, out_hw), in_hw, "black"),
        )
        return self.apply(frame, table)


def _hw(frame: Frame) -> tuple[int, int]:
    return int(frame.shape[0]), int(frame.shape[1])
