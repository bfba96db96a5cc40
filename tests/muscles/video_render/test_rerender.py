"""A render whose MP4 was deleted from media_v2 is done again, not handed back as a MediaRef
pointing at nothing."""

from __future__ import annotations

from typing import Any

import anyio
from mcp import Client

from tests.muscles.video_render.conftest import RenderServer
from tests.muscles.video_render.media import crossfade_timeline, register_clip

WAIT_S = 120.0


async def _call(client: Client, tool: str, args: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    with anyio.fail_after(WAIT_S):
        result = await client.call_tool(tool, args)
    assert result.structured_content is not None, result.content
    return bool(result.is_error), result.structured_content


def test_rendering_again_after_the_mp4_was_deleted_renders_it_afresh(render_server: RenderServer) -> None:
    server = render_server
    first = register_clip(server.store, server.scope, server.media, "a.mp4", seconds=2)
    second = register_clip(server.store, server.scope, server.media, "b.mp4", seconds=2)
    args = {"timeline": crossfade_timeline(first.uri, second.uri), "filename": "cut.mp4"}

    async def run() -> dict[str, Any]:
        seen: dict[str, Any] = {}
        async with server.session() as client:
            is_error, original = await _call(client, "render", args)
            assert not is_error, original
            server.store.delete(server.scope, original["media"]["uri"])

            is_error, gone = await _call(client, "job_result", {"job_id": original["job_id"]})
            assert is_error and gone["error"]["code"] == "asset_not_found", gone

            is_error, redone = await _call(client, "render", args)
            assert not is_error, redone
            is_error, again = await _call(client, "job_result", {"job_id": original["job_id"]})
            assert not is_error, again
            is_error, reused = await _call(client, "render", args)
            assert not is_error, reused
            seen.update(original=original, redone=redone, again=again, reused=reused)
        return seen

    seen = anyio.run(run)
    original, redone = seen["original"], seen["redone"]
    assert redone["job_id"] != original["job_id"]  # a fresh job, not the stale one
    assert redone["media"] == original["media"]  # same bytes, so the same uri and checksum
    assert server.store.stat(server.scope, original["media"]["uri"]).sha256 == original["media"]["sha256"]
    # The redo restored the asset, so the first job's result is valid again and reused.
    assert seen["again"]["media"] == original["media"]
    assert seen["reused"]["job_id"] == original["job_id"]
    assert server.leftovers() == []
