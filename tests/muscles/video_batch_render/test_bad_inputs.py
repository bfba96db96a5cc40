"""Every bad input of video_batch_render is a coded error with a hint and the offending value,
checked before anything is queued: no job, no batch, no file is left behind."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from tests.muscles.video_batch_render.conftest import BatchServer
from tests.muscles.video_render.media import register_clip


def _render(uri: str, filename: str = "out.mp4", **clip: Any) -> dict[str, Any]:
    return {
        "timeline": {"tracks": [{"id": "v", "clips": [{"id": "c", "uri": uri, **clip}]}]},
        "filename": filename,
    }


@pytest.mark.parametrize(
    ("case", "code", "value"),
    [
        ("empty", "invalid_arguments", 0),
        ("priority", "invalid_arguments", 101),
        ("same_filename", "invalid_arguments", "same.mp4"),
        ("bad_filename", "invalid_identifier", None),
        ("missing_asset", "asset_not_found", "c.uri"),
        ("out_past_end", "timeline_invalid", None),
    ],
)
def test_a_bad_batch_is_refused_whole_with_a_coded_error(
    batch_server: BatchServer, case: str, code: str, value: object
) -> None:
    server = batch_server
    clip = register_clip(server.store, server.scope, server.media, "a.mp4", seconds=1, size="160x90")
    good = _render(clip.uri, "good.mp4")
    arguments: dict[str, Any] = {
        "empty": {"renders": []},
        "priority": {"renders": [good], "priority": 101},
        "same_filename": {
            "renders": [_render(clip.uri, "same.mp4"), _render(clip.uri, "same.mp4", source_in_s=0.5)]
        },
        "bad_filename": {"renders": [good, _render(clip.uri, "../up.mp4")]},
        "missing_asset": {"renders": [good, _render("atoms://media/" + "0" * 32 + "/gone.mp4")]},
        "out_past_end": {"renders": [good, _render(clip.uri, source_out_s=9.0)]},
    }[case]

    async def run() -> tuple[bool, dict[str, Any], bool, dict[str, Any]]:
        async with server.session() as client:
            result = await client.call_tool("queue_batch", arguments)
            unknown = await client.call_tool("batch_status", {"batch_id": "batch_" + "0" * 32})
            assert result.structured_content is not None and unknown.structured_content is not None
            return (
                bool(result.is_error),
                result.structured_content["error"],
                bool(unknown.is_error),
                unknown.structured_content["error"],
            )

    is_error, error, unknown_is_error, unknown = anyio.run(run)
    assert is_error and error["code"] == code and error["hint"], error
    if value is not None:
        assert error["value"] == value
    if case in ("bad_filename", "missing_asset", "out_past_end"):
        assert error["message"].startswith("renders[1] "), error  # the render at fault is named
    assert unknown_is_error and unknown["code"] == "job_not_found"
    assert [ref.filename for ref in server.store.list(server.scope)] == ["a.mp4"]
    assert server.leftovers() == []
    assert not (server.settings.data_dir / "jobs" / "daemon.json").exists()  # nothing was queued
