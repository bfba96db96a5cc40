"""The HAZE planet end to end over real stdio: the surface renderer's MP4, the runner's walk and
its automation, a focus token turned into framing automation by video_focus_automation (both
put on a clip by video_timeline's own server), and the preview: a client plan, then an export
rendered on the server whose frame count matches the walk."""

from __future__ import annotations

import sys
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

from core.media.probe import probe_sync
from core.media.store import MediaStore
from core.scope import Scope
from core.settings import Settings
from tests.e2e.conftest import muscle_env

SURFACE: dict[str, Any] = {
    "width": 192,
    "height": 108,
    "duration_s": 1.0,
    "fps": 10,
    "seed": 3,
    "noise": "bands",
}
WALK: dict[str, Any] = {
    "path": {
        "kind": "waypoints",
        "points": [{"lat": 0, "lon": 0}, {"lat": 0, "lon": 2}, {"lat": 2, "lon": 2}],
    },
    "duration_s": 1.5,
    "speed_m_s": 2.0,
    "keyframe_rate_hz": 4,
}
# A focus token: frame a point right of centre, easing in over the first second of the walk.
TOKEN: dict[str, Any] = {
    "clip_id": "planet",
    "target": {"kind": "point", "x": 0.7, "y": 0.5},
    "start_s": 0.0,
    "end_s": 1.0,
    "zoom": 1.5,
}


def _ok(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.structured_content
    content = result.structured_content
    assert content is not None
    return content  # type: ignore[no-any-return]


def test_renderer_runner_and_preview_with_focus_tokens_over_stdio(tmp_path: Path) -> None:
    env = muscle_env(tmp_path, ATOMS_DASK_WORKERS="1")

    def server(name: str) -> StdioServerParameters:
        return StdioServerParameters(
            command=sys.executable, args=["-m", "muscles", "serve", name], env=env, cwd=str(tmp_path)
        )

    async def run() -> dict[str, Any]:
        async with AsyncExitStack() as stack:
            renderer = await stack.enter_async_context(Client(server("video_planet_surface_renderer")))
            runner = await stack.enter_async_context(Client(server("video_planet_runner")))
            timeline = await stack.enter_async_context(Client(server("video_timeline")))
            focusing = await stack.enter_async_context(Client(server("video_focus_automation")))
            preview = await stack.enter_async_context(Client(server("video_planet_preview")))
            with anyio.fail_after(240):
                surface = _ok(await renderer.call_tool("render", {"surface": SURFACE, "engine": "numpy"}))
                walk = _ok(await runner.call_tool("walk", {"walk": WALK}))
                camera = _ok(await runner.call_tool("automation", {"walk": WALK, "clip_id": "planet"}))
                focus = _ok(await focusing.call_tool("focus_automation", {"tokens": [TOKEN]}))
                assert not focus["noop"] and len(focus["payloads"]) == 1
                focus_payload = focus["payloads"][0]
                # The runner's automation and the focus tokens both go onto a clip of the surface.
                one_clip = {
                    "tracks": [{"id": "v", "clips": [{"id": "planet", "uri": surface["media"]["uri"]}]}]
                }
                placed = _ok(
                    await timeline.call_tool("apply_automation", {"timeline": one_clip, "automation": camera})
                )
                placed = _ok(
                    await timeline.call_tool(
                        "apply_automation",
                        {"timeline": placed, "automation": {**focus_payload, "camera": None}},
                    )
                )
                request = {
                    "surface_uri": surface["media"]["uri"],
                    "surface": SURFACE,
                    "walk": WALK,
                    "focus": focus_payload,
                }
                plan = _ok(await preview.call_tool("preview", request))
                export = _ok(await preview.call_tool("preview", {**request, "render": "export"}))
        return {
            "surface": surface,
            "walk": walk,
            "camera": camera,
            "focus": focus_payload,
            "placed": placed,
            "plan": plan,
            "export": export,
        }

    found = anyio.run(run)
    surface, walk, plan, export = found["surface"], found["walk"], found["plan"], found["export"]
    assert surface["frame_count"] == 10 and surface["render_path"] == "numpy"
    assert len(walk["keyframes"]) == 7 and walk["length_m"] == 3.0
    # The preview links what the runner and the timeline made, unchanged.
    assert plan["compute"] == "client" and plan["render"] is None
    placed_clip = found["placed"]["tracks"][0]["clips"][0]
    plan_clip = plan["clip"]
    # The walk owns the camera: the focus payload's own camera keys (a hover over a flat frame)
    # are not used by the preview, and the timeline here was given its lanes only.
    assert plan_clip["automation"] == placed_clip["automation"]
    assert plan_clip["automation"]["camera"] == found["camera"]["camera"]
    assert plan_clip["automation"]["camera"] == walk["keyframes"]
    # The token's framing lanes (scale, position) ride on the clip beside the camera keys.
    lanes = {lane["parameter"]: lane for lane in plan_clip["automation"]["lanes"]}
    assert {"scale", "position_x"} <= set(lanes)
    assert lanes["scale"]["keyframes"][-1]["value"] == 1.5
    assert lanes["position_x"]["keyframes"][-1]["value"] > 0.5
    assert found["focus"]["lanes"] == plan_clip["automation"]["lanes"]
    assert export["compute"] == "server" and export["frame_count"] == 15  # 1.5 s of walk at 10 fps
    settings = Settings(data_dir=tmp_path / "data", tenant_id="tenant-a", signing_key="e2e-signing-key")
    store, scope = MediaStore.from_settings(settings), Scope(tenant_id="tenant-a")
    path = store.materialize(scope, export["render"]["media"]["uri"], tmp_path / "walk.mp4")
    info = probe_sync(path)
    assert info.frame_count == export["render"]["frame_count"] == 15
    assert (info.width, info.height) == (export["width"], export["height"]) == (192, 108)
    assert store.stat(scope, export["render"]["media"]["uri"]).sha256 == export["render"]["media"]["sha256"]
