"""Each bad input gets a coded error with a hint, names the clip, and leaves nothing behind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio

from tests.media_samples import write_test_video, write_truncated
from tests.muscles.video_render.conftest import RenderServer
from tests.muscles.video_render.media import ffmpeg_running_under, register_clip, store_raw


def _one_clip(uri: str, **clip: Any) -> dict[str, Any]:
    return {"tracks": [{"id": "v", "clips": [{"id": "c1", "uri": uri, **clip}]}]}


def test_bad_timelines_and_media_get_coded_errors_and_leave_nothing(
    render_server: RenderServer, tmp_path: Path
) -> None:
    server = render_server
    clip = register_clip(server.store, server.scope, server.media, "a.mp4", seconds=2)
    notes = tmp_path / "notes.txt"
    notes.write_text("not a video, just notes\n" * 20)
    text_uri = store_raw(server.store, server.scope, notes, "text/plain")
    whole = write_test_video(tmp_path / "whole.mp4", seconds=2)
    truncated_uri = store_raw(
        server.store, server.scope, write_truncated(whole, tmp_path / "cut.mp4"), "video/mp4"
    )
    overlapping = {
        "tracks": [
            {
                "id": "v",
                "clips": [
                    {"id": "c1", "uri": clip.uri, "source_out_s": 1.5},
                    {"id": "c2", "uri": clip.uri, "source_out_s": 1.0, "start_s": 1.0},
                ],
            }
        ]
    }
    cases = {
        "overlap": (overlapping, "timeline_invalid", "c2.start_s"),
        "negative_in": (_one_clip(clip.uri, source_in_s=-1.0), "timeline_invalid", "c1.source_in_s"),
        "reversed": (
            _one_clip(clip.uri, source_in_s=1.5, source_out_s=0.5),
            "timeline_invalid",
            "c1.source_out_s",
        ),
        "past_end": (_one_clip(clip.uri, source_out_s=9.0), "timeline_invalid", "c1.source_out_s"),
        "missing": (
            _one_clip("atoms://media/0123456789abcdef0123456789abcdef/gone.mp4"),
            "asset_not_found",
            "c1.uri",
        ),
        "not_a_uri": (_one_clip("/etc/passwd"), "timeline_invalid", "c1.uri"),
        "text_file": (_one_clip(text_uri), "not_media", "c1.uri"),
        "truncated": (_one_clip(truncated_uri), "media_unreadable", "c1.uri"),
    }
    before = server.store.list(server.scope)

    async def run() -> dict[str, dict[str, Any]]:
        errors = {}
        async with server.session() as client:
            for name, (timeline, _, _) in cases.items():
                for tool in ("render", "submit_render"):
                    with anyio.fail_after(60):
                        result = await client.call_tool(tool, {"timeline": timeline})
                    assert result.is_error, (name, tool)
                    assert result.structured_content is not None
                    errors[f"{name}/{tool}"] = result.structured_content["error"]
        return errors

    errors = anyio.run(run)
    for name, (_, code, where) in cases.items():
        for tool in ("render", "submit_render"):
            error = errors[f"{name}/{tool}"]
            assert error["code"] == code, (name, error)
            assert error["value"] == where, (name, error)
            assert error["hint"], name
    assert server.store.list(server.scope) == before
    assert server.leftovers() == []
    assert ffmpeg_running_under(server.settings.data_dir) == []
