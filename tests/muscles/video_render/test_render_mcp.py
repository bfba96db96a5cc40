"""Rendering through the muscle over a real MCP client: output matches the timeline, renders
are byte-identical, progress reaches the client, and cancellation leaves nothing behind."""

from __future__ import annotations

from typing import Any

import anyio
from mcp import Client

from core.media.probe import probe_sync
from muscles.video.timeline import Timeline, describe
from tests.muscles.video_render.conftest import RenderServer
from tests.muscles.video_render.media import crossfade_timeline, ffmpeg_running_under, register_clip

WAIT_S = 60.0


async def _call(
    client: Client, tool: str, args: dict[str, Any], **kwargs: Any
) -> tuple[bool, dict[str, Any]]:
    result = await client.call_tool(tool, args, **kwargs)
    assert result.structured_content is not None, result.content
    return bool(result.is_error), result.structured_content


def test_crossfade_and_text_render_has_the_timelines_duration_and_frames_twice_identically(
    render_server: RenderServer,
) -> None:
    server = render_server
    first = register_clip(server.store, server.scope, server.media, "a.mp4", seconds=2)
    second = register_clip(
        server.store, server.scope, server.media, "b.mp4", seconds=2, size="640x360", fps=30
    )
    timeline = crossfade_timeline(first.uri, second.uri)
    reports: list[float] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        reports.append(progress)

    async def run() -> list[dict[str, Any]]:
        outputs = []
        async with server.session() as client:
            for name in ("take1.mp4", "take2.mp4"):
                with anyio.fail_after(WAIT_S * 2):
                    is_error, content = await _call(
                        client,
                        "render",
                        {"timeline": timeline, "filename": name},
                        progress_callback=on_progress,
                    )
                assert not is_error, content
                outputs.append(content)
        return outputs

    one, two = anyio.run(run)
    expected = describe(Timeline.model_validate(timeline), {})
    media = one["media"]
    assert media["sha256"] == two["media"]["sha256"]  # byte-identical renders
    assert media["mime_type"] == "video/mp4" and (media["width"], media["height"]) == (320, 240)
    path = server.settings.data_dir / "render-check.mp4"
    server.store.materialize(server.scope, media["uri"], path)
    info = probe_sync(path)
    assert info.duration_s is not None
    assert abs(info.duration_s - expected.duration_s) <= 1 / expected.fps
    assert info.frame_count == expected.frame_count == one["frame_count"]
    assert info.has_audio and info.fps == 25.0
    assert not one["stream_copy"]
    assert reports and 0 < max(reports) <= 1.0
    assert server.leftovers() == []


def _slow_timeline(uri: str) -> dict[str, Any]:
    """Enough encoding work (720p, slow preset) to be still running when it is cancelled."""
    return {
        "tracks": [{"id": "v", "clips": [{"id": "long", "uri": uri}]}],
        "output": {"width": 1280, "height": 720, "preset": "veryslow", "crf": 10, "fps": 50},
    }


def test_cancelling_the_mcp_call_stops_ffmpeg_and_stores_nothing(render_server: RenderServer) -> None:
    server = render_server
    clip = register_clip(server.store, server.scope, server.media, "long.mp4", seconds=3)
    before = server.store.list(server.scope)
    running = anyio.Event()

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        if progress > 0.05:  # past preparation: ffmpeg is encoding
            running.set()

    async def run() -> None:
        async with server.session() as client:
            async with anyio.create_task_group() as tg:

                async def call() -> None:
                    await client.call_tool(
                        "render", {"timeline": _slow_timeline(clip.uri)}, progress_callback=on_progress
                    )

                tg.start_soon(call)
                with anyio.fail_after(WAIT_S):
                    await running.wait()
                assert ffmpeg_running_under(server.settings.data_dir)
                tg.cancel_scope.cancel()  # the SDK sends notifications/cancelled
            with anyio.fail_after(WAIT_S):
                # Polling: a process exiting in another process tree sets no event here.
                while ffmpeg_running_under(server.settings.data_dir) or server.leftovers():  # noqa: ASYNC110
                    await anyio.sleep(0.1)

    anyio.run(run)
    assert server.store.list(server.scope) == before
    assert ffmpeg_running_under(server.settings.data_dir) == []


def test_cancelling_through_the_job_api_stops_ffmpeg_and_stores_nothing(render_server: RenderServer) -> None:
    server = render_server
    clip = register_clip(server.store, server.scope, server.media, "long.mp4", seconds=3)
    before = server.store.list(server.scope)

    async def run() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        async with server.session() as client:
            is_error, submitted = await _call(client, "submit_render", {"timeline": _slow_timeline(clip.uri)})
            assert not is_error, submitted
            job = {"job_id": submitted["job_id"]}
            with anyio.fail_after(WAIT_S):
                while True:
                    _, status = await _call(client, "job_status", job)
                    if status["state"] == "running" and status["progress"] > 0.05:
                        break
                    assert status["state"] in ("queued", "running"), status
                    await anyio.sleep(0.1)
            assert ffmpeg_running_under(server.settings.data_dir)
            _, cancelled = await _call(client, "cancel_job", job)
            is_error, result = await _call(client, "job_result", job)
            assert is_error
            return submitted, cancelled, result

    submitted, cancelled, result = anyio.run(run)
    assert submitted["state"] in ("queued", "running")
    assert cancelled["state"] == "cancelled"
    assert result["error"]["code"] == "job_cancelled" and result["error"]["hint"]
    assert ffmpeg_running_under(server.settings.data_dir) == []
    assert server.store.list(server.scope) == before
    assert server.leftovers() == []


def test_facts_from_stored_refs_match_the_probe(render_server: RenderServer) -> None:
    server = render_server
    clip = register_clip(server.store, server.scope, server.media, "a.mp4", seconds=1)
    facts = server.store.describe(server.scope, clip.uri).info
    assert facts is not None and facts.has_video and facts.has_audio and facts.duration_s == clip.duration_s
