"""The preview over a real MCP client: a client plan by default (nothing rendered, nothing
stored), an export rendered on the server with the path's frame count (CPU proxy without a
GPU), and failures that name their step."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import numpy as np
import pytest

from core.media.probe import probe_sync
from muscles.video.planet.shade_torch import torch_device
from tests.media_samples import write_tone_wav
from tests.muscles.video_planet_preview.samples import write_samples
from tests.muscles.video_planet_surface_renderer.conftest import PlanetServer, planet_server

WALK: dict[str, Any] = {
    "path": {
        "kind": "heading",
        "start": {"lat": 10, "lon": 20},
        "heading_deg": 45,
        "turns": [{"at_s": 0.5, "turn_deg": 30}],
    },
    "duration_s": 1.25,
    "keyframe_rate_hz": 4,
}
SURFACE: dict[str, Any] = {
    "width": 1280,
    "height": 720,
    "fps": 8,
    "duration_s": 1,
    "base_color": "#c05030",
    "noise": "none",
}
FOCUS: dict[str, Any] = {
    "clip_id": "planet",
    "lanes": [
        {"parameter": "brightness", "keyframes": [{"time_s": 0, "value": 0}, {"time_s": 1, "value": 0.3}]}
    ],
}


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[PlanetServer]:
    server = planet_server("video_planet_preview", tmp_path)
    write_samples(tmp_path / "imports")
    path = tmp_path / "imports" / "samples" / "planet.mp4"
    server.surface_uri = server.store.register_staged(
        server.scope, server.store.stage_local(path), "planet.mp4"
    ).uri  # type: ignore[attr-defined]
    yield server


def _calls(
    server: PlanetServer, calls: list[tuple[str, dict[str, Any]]]
) -> list[tuple[bool, dict[str, Any]]]:
    async def run() -> list[tuple[bool, dict[str, Any]]]:
        with anyio.fail_after(120):
            async with server.session() as client:
                return [await server.call(client, tool, args) for tool, args in calls]

    return anyio.run(run)


def test_the_default_plan_is_compute_client_with_no_render(preview: PlanetServer) -> None:
    before = preview.store.list(preview.scope)
    request = {"surface_uri": preview.surface_uri, "surface": SURFACE, "walk": WALK, "focus": FOCUS}  # type: ignore[attr-defined]
    ((is_error, plan),) = _calls(preview, [("preview", request)])
    assert not is_error, plan
    assert (plan["compute"], plan["strategy"], plan["render"]) == ("client", "client_device", None)
    assert (plan["width"], plan["height"], plan["frame_count"]) == (
        1280,
        720,
        10,
    )  # full size: the client renders
    assert preview.store.list(preview.scope) == before  # nothing rendered, nothing stored
    # Everything a client needs: the parameters, the keyframes and the asset, linked on one clip.
    clip = plan["clip"]
    assert clip["id"] == "planet" and clip["uri"] == plan["surface_uri"] == preview.surface_uri  # type: ignore[attr-defined]
    assert len(clip["automation"]["camera"]) == 6  # 1.25 s at 4 keys a second, both ends
    (lane,) = clip["automation"]["lanes"]
    assert lane["parameter"] == "brightness"
    assert [(key["time_s"], key["value"]) for key in lane["keyframes"]] == [(0, 0), (1, 0.3)]
    assert plan["surface"]["base_color"] == "#c05030"


@pytest.mark.parametrize("mode", ["export", "offline"])
def test_an_export_renders_an_mp4_whose_frame_count_matches_the_path(
    preview: PlanetServer, mode: str
) -> None:
    request = {"surface_uri": preview.surface_uri, "surface": SURFACE, "walk": WALK, "render": mode}  # type: ignore[attr-defined]
    ((is_error, plan),) = _calls(preview, [("preview", request)])
    assert not is_error, plan
    assert plan["compute"] == "server"
    rendered = plan["render"]
    assert rendered["frame_count"] == plan["frame_count"] == 10  # 1.25 s of walk at 8 fps
    if torch_device() != "cuda":
        # No GPU: the CPU renders at proxy resolution (at most 360 lines, the aspect kept).
        assert plan["strategy"] == "cpu_proxy" and (plan["width"], plan["height"]) == (640, 360)
    path = preview.settings.data_dir / "walk.mp4"
    preview.store.materialize(preview.scope, rendered["media"]["uri"], path)
    info = probe_sync(path)
    assert (info.frame_count, info.width, info.height) == (10, plan["width"], plan["height"])
    frames = preview.frames(rendered["media"]["uri"], plan["width"], plan["height"])
    assert len(frames) == 10
    # The walker looks along the ground: the horizon splits the frame, lit ground below (the
    # base colour's hue), the glowing haze above.
    ground = frames[0][-20:].reshape(-1, 3).mean(axis=0)
    assert ground[0] > ground[2], ground
    sky = frames[0][:20].reshape(-1, 3).mean(axis=0)
    assert sky[2] > sky[0], sky
    assert not np.array_equal(frames[0], frames[-1])  # the camera moved
    assert preview.leftovers() == []


def test_failures_name_their_step_and_store_nothing(preview: PlanetServer) -> None:
    good = {"surface_uri": preview.surface_uri, "surface": SURFACE, "walk": WALK}  # type: ignore[attr-defined]
    missing = "atoms://media/0123456789abcdef0123456789abcdef/gone.mp4"
    tone = preview.settings.data_dir / "tone.wav"
    write_tone_wav(tone)
    sound = preview.store.register_staged(preview.scope, preview.store.stage_local(tone), "tone.wav").uri
    before = preview.store.list(preview.scope)
    bad = {
        ("surface", "asset_not_found"): {**good, "surface_uri": missing, "render": "export"},
        ("surface", "no_video_stream"): {**good, "surface_uri": sound},
        ("surface", "planet_invalid"): {**good, "surface": {**SURFACE, "base_color": "blue"}},
        ("runner", "planet_path_invalid"): {**good, "walk": {**WALK, "speed_m_s": 0}},
        ("focus", "unknown_clip"): {**good, "focus": {**FOCUS, "clip_id": "other"}},
        ("focus", "automation_invalid"): {
            **good,
            "focus": {
                **FOCUS,
                "lanes": [
                    {
                        "parameter": "brightness",
                        "keyframes": [{"time_s": 1, "value": 0}, {"time_s": 0, "value": 0}],
                    }
                ],
            },
        },
    }
    results = _calls(preview, [("preview", args) for args in bad.values()])
    for (step, cause), (is_error, content) in zip(bad, results, strict=True):
        assert is_error, step
        error = content["error"]
        assert error["code"] == "preview_step_failed" and error["value"] == step, error
        assert error["details"]["step"] == step and error["details"]["cause"]["code"] == cause, error
        assert error["hint"] and step in error["message"]
    assert preview.store.list(preview.scope) == before
    assert preview.leftovers() == []
