"""A render reports what its stored MP4 holds: measured frames and stream lengths, checked
against describe; a source that ends early is named, or padded with a warning when asked."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import anyio
import pytest

from core.ffmpeg.runner import ffmpeg_binary
from muscles.video.timeline import Timeline, describe
from tests.muscles.video_render.conftest import RenderServer
from tests.muscles.video_render.media import (
    ffmpeg_running_under,
    register_clip,
    stream_lengths,
    write_damaged,
)

WAIT_S = 120.0


def _render(server: RenderServer, timeline: dict[str, Any], **arguments: Any) -> tuple[bool, dict[str, Any]]:
    async def run() -> tuple[bool, dict[str, Any]]:
        async with server.session() as client:
            with anyio.fail_after(WAIT_S):
                result = await client.call_tool("render", {"timeline": timeline, **arguments})
        assert result.structured_content is not None, result.content
        return bool(result.is_error), result.structured_content

    return anyio.run(run)


def _stored(server: RenderServer, uri: str, name: str) -> Path:
    return server.store.materialize(server.scope, uri, server.settings.data_dir / name)


def _assert_matches_describe(server: RenderServer, timeline: dict[str, Any], content: dict[str, Any]) -> Path:
    """The stored MP4 holds the frames describe counts, sound and picture equally long, and the
    result reports those measured figures."""
    facts = {}
    for clip in Timeline.model_validate(timeline).clips():
        facts[clip.uri] = server.store.describe(server.scope, clip.uri).info
    expected = describe(Timeline.model_validate(timeline), facts)  # type: ignore[arg-type]
    path = _stored(server, content["media"]["uri"], "check.mp4")
    frames, video_s, audio_s = stream_lengths(path)
    assert frames == expected.frame_count == content["frame_count"], (frames, expected, content)
    if audio_s is not None:
        assert abs(audio_s - video_s) <= 1 / expected.fps, (audio_s, video_s)
    return path


def _damaged_timeline(clean: str, damaged: str) -> dict[str, Any]:
    return {
        "tracks": [
            {
                "id": "v",
                "clips": [
                    {"id": "intro", "uri": clean, "source_out_s": 1.0},
                    {"id": "broken", "uri": damaged, "source_in_s": 0.5, "source_out_s": 4.5, "start_s": 1.0},
                ],
            }
        ],
        "output": {"fps": 25, "width": 320, "height": 180},
    }


def _register_damaged(server: RenderServer) -> str:
    path = write_damaged(server.media / "damaged.mp4")
    return server.store.register_staged(server.scope, server.store.stage_local(path), path.name).uri


def test_a_source_that_ends_early_fails_naming_its_clip_and_stores_nothing(
    render_server: RenderServer,
) -> None:
    server = render_server
    server.media.mkdir(parents=True, exist_ok=True)
    clean = register_clip(server.store, server.scope, server.media, "clean.mp4", seconds=2, size="320x180")
    damaged = _register_damaged(server)
    before = server.store.list(server.scope)
    is_error, content = _render(server, _damaged_timeline(clean.uri, damaged))
    assert is_error, content
    error = content["error"]
    assert error["code"] == "source_ended_early" and error["value"] == "broken.uri", error
    assert "clip broken" in error["message"] and error["hint"]
    assert server.store.list(server.scope) == before
    assert server.leftovers() == []
    assert ffmpeg_running_under(server.settings.data_dir) == []


def test_with_padding_asked_a_short_source_holds_its_last_frame_and_warns(
    render_server: RenderServer,
) -> None:
    server = render_server
    server.media.mkdir(parents=True, exist_ok=True)
    clean = register_clip(server.store, server.scope, server.media, "clean.mp4", seconds=2, size="320x180")
    timeline = _damaged_timeline(clean.uri, _register_damaged(server))
    is_error, content = _render(server, timeline, pad_short_sources=True)
    assert not is_error, content
    assert len(content["warnings"]) == 1 and "clip broken" in content["warnings"][0]
    _assert_matches_describe(server, timeline, content)
    assert server.leftovers() == []


def _odd_clip(folder: Path, name: str, *, video_s: float, audio_s: float, fps: int) -> Path:
    """Picture and sound of different odd lengths, as cameras and exports often leave them."""
    path = folder / name
    subprocess.run(
        [
            ffmpeg_binary(),
            *("-hide_banner", "-loglevel", "error", "-y"),
            *("-f", "lavfi", "-i", f"testsrc2=size=160x90:rate={fps}:duration={video_s}"),
            *("-f", "lavfi", "-i", f"sine=frequency=330:duration={audio_s}"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"),
            *("-ar", "48000", str(path)),
        ],
        check=True,
    )
    return path


@pytest.mark.parametrize(
    ("video_s", "audio_s", "fps"),
    [(5.28, 5.31, 25), (3.0, 3.0, 25), (2.1, 2.17, 30), (1.96, 1.9, 25)],
    ids=["sound-outlasts-picture", "even", "odd-30fps", "picture-outlasts-sound"],
)
def test_an_untouched_clip_renders_to_the_frames_describe_counts(
    render_server: RenderServer, video_s: float, audio_s: float, fps: int
) -> None:
    server = render_server
    server.media.mkdir(parents=True, exist_ok=True)
    path = _odd_clip(server.media, "odd.mp4", video_s=video_s, audio_s=audio_s, fps=fps)
    ref = server.store.register_staged(server.scope, server.store.stage_local(path), path.name)
    timeline = {"tracks": [{"id": "v", "clips": [{"id": "whole", "uri": ref.uri}]}]}
    is_error, content = _render(server, timeline)
    assert not is_error, content
    _assert_matches_describe(server, timeline, content)


def test_a_still_image_plays_for_its_duration_and_without_one_is_refused_by_its_mime_type(
    render_server: RenderServer,
) -> None:
    server = render_server
    server.media.mkdir(parents=True, exist_ok=True)
    png = server.media / "still.png"
    subprocess.run(
        [
            ffmpeg_binary(),
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=64x36",
            "-frames:v",
            "1",
            str(png),
        ],
        check=True,
    )
    ref = server.store.register_staged(server.scope, server.store.stage_local(png), png.name)
    timeline = {"tracks": [{"id": "v", "clips": [{"id": "poster", "uri": ref.uri, "source_out_s": 2.0}]}]}
    is_error, content = _render(server, timeline)
    assert is_error
    error = content["error"]
    assert error["code"] == "image_not_accepted" and error["value"] == "poster.duration_s", error
    assert "image/png" in error["message"] and "duration_s" in error["message"]
    assert server.leftovers() == []

    timeline = {"tracks": [{"id": "v", "clips": [{"id": "poster", "uri": ref.uri, "duration_s": 2.0}]}]}
    is_error, content = _render(server, timeline)
    assert not is_error, content
    path = _assert_matches_describe(server, timeline, content)
    assert stream_lengths(path)[0] == 50  # 2 s at the default 25 fps
