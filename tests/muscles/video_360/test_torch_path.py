"""The torch path gives the OpenCV path's pixels within 1/255 (where torch is installed; CI may
install its CPU build, a lent GPU machine runs it on CUDA)."""

from __future__ import annotations

import pytest

from muscles.video.frames import Projector, TableCache, View

from .patterns import mean_abs_diff, sphere_pattern

torch = pytest.importorskip("torch", reason="torch (the optional gpu extra) is not installed")
ONE_LEVEL = 1 / 255


@pytest.mark.parametrize("interpolation", ["bilinear", "bicubic"])
def test_torch_grid_sample_equals_cv2_remap(interpolation: str) -> None:
    image = sphere_pattern(256, 512)
    cpu = Projector(interpolation=interpolation, backend="opencv", cache=TableCache())  # type: ignore[arg-type]
    gpu = Projector(interpolation=interpolation, backend="torch", cache=TableCache())  # type: ignore[arg-type]
    assert gpu.path in ("torch-cpu", "torch-cuda")
    for view in (View(0, 0, 0, 90, 60), View(170, 80, 10, 100, 70), View(-60, -85, 0, 120, 90)):
        assert (
            mean_abs_diff(gpu.perspective(image, view, (120, 160)), cpu.perspective(image, view, (120, 160)))
            <= ONE_LEVEL
        )
    cube = cpu.cubemap(image, 64, "dice")
    assert mean_abs_diff(gpu.cubemap(image, 64, "dice"), cube) <= ONE_LEVEL
    assert (
        mean_abs_diff(
            gpu.equirect_from_cubemap(cube, 64, "dice", (256, 512)),
            cpu.equirect_from_cubemap(cube, 64, "dice", (256, 512)),
        )
        <= ONE_LEVEL
    )
