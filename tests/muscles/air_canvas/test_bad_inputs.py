"""Bad marker ranges and pen settings get coded errors with hints and leave nothing behind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio

from tests.muscles.video_360.conftest import SphereServer

from .scene import write_scene


def test_bad_settings_get_coded_errors_and_leave_nothing(canvas_server: SphereServer, tmp_path: Path) -> None:
    server = canvas_server
    video = server.register(write_scene(tmp_path / "air.mp4")).uri
    cases: dict[str, tuple[dict[str, Any], str, str]] = {
        "empty_saturation": (
            {"marker": {"saturation_low": 200, "saturation_high": 100}},
            "empty_colour_range",
            "marker.saturation_low",
        ),
        "empty_value": (
            {"marker": {"value_low": 255, "value_high": 0}},
            "empty_colour_range",
            "marker.value_low",
        ),
        "hue_off_scale": ({"marker": {"hue_high": 200}}, "empty_colour_range", "marker.hue_high"),
        "gain": ({"pen": {"gain": 0}}, "pen_out_of_range", "pen.gain"),
        "missing": (
            {"uri": "atoms://media/0123456789abcdef0123456789abcdef/gone.mp4"},
            "asset_not_found",
            "uri",
        ),
    }
    before = server.store.list(server.scope)

    async def run() -> dict[str, Any]:
        errors = {}
        async with server.session() as client:
            for name, (request, _, _) in cases.items():
                for tool in ("trace", "submit_trace"):
                    with anyio.fail_after(60):
                        result = await client.call_tool(tool, {"uri": video, **request})
                    assert result.is_error, (name, tool)
                    assert result.structured_content is not None
                    errors[f"{name}/{tool}"] = result.structured_content["error"]
        return errors

    errors = anyio.run(run)
    for name, (_, code, value) in cases.items():
        for tool in ("trace", "submit_trace"):
            error = errors[f"{name}/{tool}"]
            assert (error["code"], error["value"], bool(error["hint"])) == (code, value, True), (
                name,
                tool,
                error,
            )
    assert server.store.list(server.scope) == before
    assert server.leftovers() == []
