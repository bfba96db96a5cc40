"""A render job whose MP4 was deleted from media_v2 is done again when submitted again, not
handed back as a MediaRef pointing at nothing."""

from __future__ import annotations

from typing import Any

import anyio
from mcp import Client

from tests.muscles.video_render.conftest import RenderServer
from tests.muscles.video_render.media import crossfade_timeline, register_clip

WAIT_S = 180.0  # the first job starts the data dir's job daemon


async def _call(client: Client, tool: str, args: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    with anyio.fail_after(WAIT_S):
        result = await client.call_tool(tool, args)
    assert result.structured_content is not None, result.content
    return bool(result.is_error), result.structured_content


async def _finished(client: Client, job_id: str) -> dict[str, Any]:
    with anyio.fail_after(WAIT_S):
        while True:
            _, status = await _call(client, "job_status", {"job_id": job_id})
            if status["state"] in ("succeeded", "failed", "cancelled"):
                return status
            await anyio.sleep(0.2)


def test_submitting_again_after_the_mp4_was_deleted_renders_it_afresh(render_server: RenderServer) -> None:
    server = render_server
    first = register_clip(server.store, server.scope, server.media, "a.mp4", seconds=2)
    second = register_clip(server.store, server.scope, server.media, "b.mp4", seconds=2)
    args = {"timeline": crossfade_timeline(first.uri, second.uri), "filename": "cut.mp4"}

    async def run() -> dict[str, Any]:
        async with server.session() as client:
            _, job = await _call(client, "submit_render", args)
            done = await _finished(client, job["job_id"])
            assert done["state"] == "succeeded", done
            _, original = await _call(client, "job_result", {"job_id": job["job_id"]})
            server.store.delete(server.scope, original["media"]["uri"])

            is_error, gone = await _call(client, "job_result", {"job_id": job["job_id"]})
            assert is_error and gone["error"]["code"] == "asset_not_found", gone
            _, again = await _call(client, "submit_render", args)
            assert (again["job_id"], again["state"]) == (job["job_id"], "queued")  # the same job, again
            redone = await _finished(client, job["job_id"])
            _, result = await _call(client, "job_result", {"job_id": job["job_id"]})
            _, reused = await _call(client, "submit_render", args)
            return {"original": original, "redone": redone, "result": result, "reused": reused}

    seen = anyio.run(run)
    assert seen["redone"]["state"] == "succeeded" and seen["redone"]["attempts"] == 2
    assert seen["result"]["media"] == seen["original"]["media"]  # same bytes, so the same uri and checksum
    assert (
        server.store.stat(server.scope, seen["original"]["media"]["uri"]).sha256
        == seen["original"]["media"]["sha256"]
    )
    assert seen["reused"]["state"] == "succeeded"  # the MP4 is there again: nothing to redo
    assert server.leftovers() == []
