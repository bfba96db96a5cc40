"""The surface renderer over a real MCP client: deterministic bytes, exact frames and rate,
the lit base colour at the centre and the glow just outside the limb, coded bad inputs."""

from __future__ import annotations

import math
from typing import Any

import anyio
import numpy as np
import pytest

from core.media.probe import probe_sync
from tests.muscles.video_planet_surface_renderer.conftest import PlanetServer

SURFACE: dict[str, Any] = {
    "base_color": "#c05030",
    "glow_color": "#30d0ff",
    "glow_intensity": 1.5,
    "light_direction": {"x": 0.0, "y": -1.0, "z": 0.0},  # from behind the camera: the centre is fully lit
    "noise": "none",
    "camera_distance": 3.0,
    "fov_deg": 40.0,
    "width": 160,
    "height": 96,
    "duration_s": 1.0,
    "fps": 10,
    "seed": 1,
}
# x264 in yuv420p moves flat colours by a few levels.
CODEC_TOLERANCE = 8


def _render_all(server: PlanetServer, requests: list[dict[str, Any]]) -> list[tuple[bool, dict[str, Any]]]:
    async def run() -> list[tuple[bool, dict[str, Any]]]:
        with anyio.fail_after(120):
            async with server.session() as client:
                return [await server.call(client, "render", request) for request in requests]

    return anyio.run(run)


def test_same_inputs_same_sha_and_a_changed_seed_or_colour_changes_it(renderer: PlanetServer) -> None:
    banded = {**SURFACE, "noise": "bands", "noise_amplitude": 0.2}
    requests = [
        {"surface": banded, "engine": "numpy", "filename": "a.mp4"},
        {"surface": banded, "engine": "numpy", "filename": "a.mp4"},
        {"surface": {**banded, "seed": 2}, "engine": "numpy", "filename": "a.mp4"},
        {"surface": {**banded, "base_color": "#c05031"}, "engine": "numpy", "filename": "a.mp4"},
    ]
    results = _render_all(renderer, requests)
    assert all(not is_error for is_error, _ in results), results
    first, again, seeded, recoloured = (content["media"]["sha256"] for _, content in results)
    assert first == again
    assert len({first, seeded, recoloured}) == 3
    assert renderer.leftovers() == []


def test_frame_count_fps_and_the_pixels_of_frame_zero(renderer: PlanetServer) -> None:
    ((is_error, content),) = _render_all(renderer, [{"surface": SURFACE, "engine": "numpy"}])
    assert not is_error, content
    media = content["media"]
    assert content["frame_count"] == 10 and content["fps"] == 10.0 and content["render_path"] == "numpy"
    path = renderer.settings.data_dir / "probe.mp4"
    renderer.store.materialize(renderer.scope, media["uri"], path)
    info = probe_sync(path)
    assert (info.frame_count, info.fps, info.width, info.height) == (10, 10.0, 160, 96)
    frames = renderer.frames(media["uri"], 160, 96)
    assert len(frames) == 10
    frame = frames[0].astype(int)
    centre = frame[48, 80]
    assert np.abs(centre - [0xC0, 0x50, 0x30]).max() <= CODEC_TOLERANCE, centre
    # The limb's radius in pixels: the sphere subtends asin(1/d) seen from distance d.
    limb_px = math.tan(math.asin(1 / SURFACE["camera_distance"])) / math.tan(math.radians(20)) * 48
    outside = frame[48, 80 + math.ceil(limb_px) + 2]
    assert outside[2] > 150 and outside[1] > 120 and outside[0] < 90, outside  # the cyan glow
    assert frame[2, 2].max() < 40  # far from the sphere: dark sky


def test_bad_inputs_get_coded_errors_naming_the_field_and_leave_nothing(renderer: PlanetServer) -> None:
    bad = {
        "base_color": {"surface": {**SURFACE, "base_color": "red"}},
        "width": {"surface": {**SURFACE, "width": 161}},
        "camera_distance": {"surface": {**SURFACE, "camera_distance": 0.5}},
        "light_direction": {"surface": {**SURFACE, "light_direction": {"x": 0, "y": 0, "z": 0}}},
        "fps": {"surface": {**SURFACE, "fps": 0}},
    }
    results = _render_all(renderer, list(bad.values()))
    for field, (is_error, content) in zip(bad, results, strict=True):
        assert is_error, field
        assert content["error"]["code"] == "planet_invalid" and content["error"]["value"] == field
        assert content["error"]["hint"]
    assert renderer.store.list(renderer.scope) == []
    assert renderer.leftovers() == []


def test_numpy_and_torch_on_the_cpu_give_the_same_frames() -> None:
    pytest.importorskip("torch", reason="torch is the optional gpu extra")
    from muscles.video.planet.camera import orbit_view, ray_directions
    from muscles.video.planet.shade_numpy import shade
    from muscles.video.planet.shade_torch import TorchShader
    from muscles.video.planet.surface import SurfaceParams, material

    for noise in ("bands", "speckle", "none"):
        params = SurfaceParams.model_validate({**SURFACE, "noise": noise, "noise_amplitude": 0.2})
        m = material(params)
        view = orbit_view(params.camera_distance)
        rays = ray_directions(params.width, params.height, params.fov_deg, view)
        torch_shader = TorchShader(m, "cpu")
        for time_s in (0.0, 0.7):
            ours = shade(rays, view.position, time_s, m).astype(int)
            theirs = torch_shader.shade(torch_shader.rays(rays), view.position, time_s).astype(int)
            # float32 transcendental functions differ in the last bit between the two libraries:
            # a level of rounding, and at most a pixel or two exactly on the limb may flip.
            off = np.abs(ours - theirs).max(axis=-1)
            assert np.count_nonzero(off > 1) <= 3, noise


def test_engine_torch_without_torch_is_a_coded_error() -> None:
    from muscles.video.planet.errors import PlanetInvalid
    from muscles.video.planet.render import choose_path
    from muscles.video.planet.shade_torch import torch_device

    if torch_device() is not None:
        assert choose_path("torch") in ("torch-cpu", "torch-cuda")
        return
    with pytest.raises(PlanetInvalid) as raised:
        choose_path("torch")
    assert raised.value.to_dict()["value"] == "engine"
