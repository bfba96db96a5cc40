"""Focus tokens through the muscle over a real MCP client: with their metadata they give
keyframes that video_timeline accepts and video_render draws (the crop moves onto the region,
compared on two output frames); without it, the no-op result and its warning; bad tokens get
coded errors naming the field."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from core.settings import Settings
from muscles.video.focus import FOCUS_PARAMETERS
from muscles.video.timeline import AutomationPayload, Timeline, apply_automation, find_issues
from tests.muscles.video_render.framing import BLUE, GREEN, RED, WHITE, H, W, nearest, render_frames

TOP_LEFT = {"x": 0.0, "y": 0.0, "width": 0.5, "height": 0.5}


def _timeline() -> dict[str, Any]:
    return {
        "tracks": [{"id": "v", "clips": [{"id": "still", "uri": "atoms://media/" + "0" * 32 + "/q.mp4"}]}]
    }


def _call(tmp_path: Path, arguments: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    module: Any = importlib.reload(importlib.import_module("muscles.video.video_focus_automation.mcp"))
    module.runtime.configure(Settings(data_dir=tmp_path / "data", tenant_id="t1"))

    async def run() -> tuple[bool, dict[str, Any]]:
        try:
            async with Client(module.server) as client:
                result = await client.call_tool("focus_automation", arguments)
        finally:
            await module.runtime.stop()
        assert result.structured_content is not None, result.content
        return bool(result.is_error), result.structured_content

    return anyio.run(run)


def test_a_region_token_with_its_metadata_validates_and_renders_as_a_moving_crop(tmp_path: Path) -> None:
    token = {"clip_id": "still", "target": {"kind": "region", "name": "red"}, "start_s": 0.0, "end_s": 1.0}
    arguments = {"tokens": [token], "metadata": {"regions": {"red": TOP_LEFT}}, "timeline": _timeline()}
    is_error, result = _call(tmp_path, arguments)
    assert not is_error, result
    assert result["noop"] is False and result["warnings"] == []
    (payload,) = result["payloads"]
    assert sorted(lane["parameter"] for lane in payload["lanes"]) == sorted(FOCUS_PARAMETERS)
    assert [key["time_s"] for key in payload["camera"]] == [0.0, 1.0]
    assert payload["camera"][1]["position"] == {"x": 0.25, "y": 0.25, "z": 0.5}
    # The payload is what video_timeline's apply_automation accepts, and the timeline it gives
    # (the one the tool returned) validates.
    applied = apply_automation(
        Timeline.model_validate(_timeline()), AutomationPayload.model_validate(payload)
    )
    assert applied == Timeline.model_validate(result["timeline"])
    assert [issue for issue in find_issues(applied) if issue.code != "asset_not_found"] == []
    # Rendered over the four quadrants: the first frame shows all four, the crop then moves
    # onto the red top-left quadrant, which fills the frame once the token's range has passed.
    frames = render_frames(tmp_path, result["timeline"])
    first, last = frames[0], frames[40]
    corners = [(H // 4, W // 4), (H // 4, 3 * W // 4), (3 * H // 4, W // 4), (3 * H // 4, 3 * W // 4)]
    assert [nearest(first[y, x]) for y, x in corners] == [RED, GREEN, BLUE, WHITE]
    assert [nearest(last[y, x]) for y, x in corners] == [RED] * 4
    crop = (slice(0, H // 2), slice(W // 2, W))  # the top-right quarter of the output
    assert nearest(first[crop].mean(axis=(0, 1))) == GREEN and nearest(last[crop].mean(axis=(0, 1))) == RED


def test_a_token_without_its_metadata_gives_the_noop_result_with_a_warning(tmp_path: Path) -> None:
    tokens = [
        {"clip_id": "still", "target": {"kind": "point", "x": 0.2, "y": 0.2}, "start_s": 0.0, "end_s": 0.5},
        {"clip_id": "still", "target": {"kind": "subject", "subject_id": "s7"}, "start_s": 1.0, "end_s": 2.0},
    ]
    is_error, result = _call(
        tmp_path, {"tokens": tokens, "metadata": {"regions": {"red": TOP_LEFT}}, "timeline": _timeline()}
    )
    assert not is_error, result
    assert (result["noop"], result["payloads"]) == (True, [])
    assert [(w["code"], w["token"], w["missing"]) for w in result["warnings"]] == [
        ("metadata_missing", 1, "subjects.s7")
    ]
    assert "subject 's7'" in result["warnings"][0]["message"]
    assert Timeline.model_validate(result["timeline"]) == Timeline.model_validate(_timeline())  # untouched


@pytest.mark.parametrize(
    ("tokens", "extra", "code", "value"),
    [
        ([], {}, "invalid_arguments", 0),
        (
            [
                {
                    "clip_id": "still",
                    "target": {"kind": "point", "x": 0.5, "y": 0.5},
                    "start_s": 1.0,
                    "end_s": 1.0,
                }
            ],
            {},
            "invalid_arguments",
            "1.0..1.0",
        ),
        (
            [{"clip_id": "still", "target": {"kind": "point", "x": 1.5, "y": 0.5}, "start_s": 0, "end_s": 1}],
            {},
            "invalid_arguments",
            1.5,
        ),
        (
            [
                {
                    "clip_id": "still",
                    "target": {"kind": "point", "x": 0.5, "y": 0.5},
                    "start_s": 0,
                    "end_s": 1,
                    "zoom": 20,
                }
            ],
            {},
            "invalid_arguments",
            20,
        ),
        (
            [
                {
                    "clip_id": "still",
                    "target": {"kind": "point", "x": 0.5, "y": 0.5},
                    "start_s": 0,
                    "end_s": 2,
                },
                {
                    "clip_id": "still",
                    "target": {"kind": "point", "x": 0.1, "y": 0.1},
                    "start_s": 1,
                    "end_s": 3,
                },
            ],
            {},
            "invalid_arguments",
            "still@1.0",
        ),
        (
            [{"clip_id": "other", "target": {"kind": "point", "x": 0.5, "y": 0.5}, "start_s": 0, "end_s": 1}],
            {"timeline": _timeline()},
            "unknown_clip",
            "other",
        ),
        (
            [{"clip_id": "still", "target": {"kind": "region", "name": "r"}, "start_s": 0, "end_s": 1}],
            {"metadata": {"regions": {"r": {"x": 0.8, "y": 0.0, "width": 0.5, "height": 0.5}}}},
            "invalid_arguments",
            1.3,
        ),
    ],
)
def test_bad_tokens_get_coded_errors_with_a_hint_and_the_value(
    tmp_path: Path, tokens: list[dict[str, Any]], extra: dict[str, Any], code: str, value: object
) -> None:
    is_error, result = _call(tmp_path, {"tokens": tokens, **extra})
    error = result["error"]
    assert is_error and (error["code"], error["value"]) == (code, value), error
    assert error["hint"]
