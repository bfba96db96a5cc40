"""The razor over MCP refuses a malformed timeline with the coded error validate names
(found by the schema fuzzer: an automation lane without keyframes reached the client as
internal_error)."""

from __future__ import annotations

import importlib
from pathlib import Path

import anyio
from mcp import Client

from core.settings import Settings

A = "atoms://media/0123456789abcdef0123456789abcdef/a.mp4"
EMPTY_LANE = {
    "tracks": [
        {
            "id": "v",
            "clips": [
                {
                    "id": "a",
                    "uri": A,
                    "source_out_s": 4.0,
                    "automation": {"lanes": [{"parameter": "volume", "keyframes": []}]},
                }
            ],
        }
    ]
}


def test_split_of_a_lane_without_keyframes_is_the_error_validate_reports(tmp_path: Path) -> None:
    module = importlib.reload(importlib.import_module("muscles.video.video_timeline.mcp"))
    module.runtime.configure(Settings(data_dir=tmp_path / "data", signing_key="k"))  # type: ignore[arg-type]

    async def run() -> tuple[object, object]:
        async with Client(module.server) as client:
            split = await client.call_tool("split", {"timeline": EMPTY_LANE, "at_s": 2.0})
            report = await client.call_tool("validate", {"timeline": EMPTY_LANE})
            return split, report

    split, report = anyio.run(run)
    assert split.is_error  # type: ignore[attr-defined]
    error = split.structured_content["error"]  # type: ignore[attr-defined]
    assert error["code"] == "timeline_invalid" and error["value"] == "a.automation.volume", error
    issues = report.structured_content["issues"]  # type: ignore[attr-defined]
    assert {(i["clip_id"], i["field"]) for i in issues} >= {("a", "automation.volume")}
