"""The render run directly (no MCP, no job): stream copy, proxy mode, volume automation and
the checks on media it probes itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import anyio.from_thread
import pytest
from pydantic import JsonValue

from core.errors import MediaUnreadable
from core.media import BlockingWorkspace, MediaInfo, MediaRef, Workspace
from core.media.store import MediaStore
from core.progress import RecordingProgress
from core.scope import Scope
from core.settings import Settings
from muscles.video.timeline import Timeline, describe
from muscles.video.video_render.render import RenderedVideo, render_timeline
from tests.media_samples import write_test_video, write_truncated
from tests.muscles.video_render.media import crossfade_timeline, register_clip, store_raw


class Direct:
    """The render run directly in this process, as the tool body runs it, with its progress kept."""

    def __init__(self, settings: Settings, store: MediaStore, scope: Scope) -> None:
        self.settings = settings
        self.store = store
        self.scope = scope
        self.progress = RecordingProgress()

    @property
    def reports(self) -> list[tuple[float, str | None]]:
        return self.progress.reports


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Direct, MediaStore, Scope]:
    settings = Settings(data_dir=tmp_path / "data", tenant_id="t1", signing_key="k")
    store, scope = MediaStore.from_settings(settings), Scope(tenant_id="t1")
    return Direct(settings, store, scope), store, scope


def _render(ctx: Direct, timeline: dict[str, Any]) -> dict[str, JsonValue]:
    """The rendered MP4's MediaRef fields with frame_count and stream_copy, as one dict."""

    async def run() -> RenderedVideo:
        with BlockingWorkspace(
            ctx.store,
            ctx.scope,
            ctx.settings.data_dir / "work",
            check_cancelled=anyio.from_thread.check_cancelled,
        ) as blocking:
            return await render_timeline(
                Workspace(blocking), ctx.progress, Timeline.model_validate(timeline), "out.mp4"
            )

    rendered = anyio.run(run)
    return {
        **rendered.media.model_dump(mode="json"),
        "frame_count": rendered.frame_count,
        "stream_copy": rendered.stream_copy,
    }


def test_a_single_untouched_clip_is_stream_copied(setup: Any, tmp_path: Path) -> None:
    ctx, store, scope = setup
    clip = register_clip(store, scope, tmp_path, "a.mp4", seconds=1)
    result = _render(ctx, {"tracks": [{"id": "v", "clips": [{"id": "c", "uri": clip.uri}]}]})
    assert result["stream_copy"] is True
    assert result["duration_s"] == clip.duration_s and result["frame_count"] == 25
    trimmed = _render(
        ctx, {"tracks": [{"id": "v", "clips": [{"id": "c", "uri": clip.uri, "source_in_s": 0.2}]}]}
    )
    assert trimmed["stream_copy"] is False and trimmed["frame_count"] == 20


def test_proxy_mode_is_small_and_only_when_asked(setup: Any, tmp_path: Path) -> None:
    ctx, store, scope = setup
    first = register_clip(store, scope, tmp_path, "a.mp4", seconds=2, size="1280x720")
    second = register_clip(store, scope, tmp_path, "b.mp4", seconds=2, size="1280x720")
    proxy = _render(ctx, crossfade_timeline(first.uri, second.uri, proxy=True))
    assert (proxy["width"], proxy["height"]) == (640, 360)
    full = _render(ctx, crossfade_timeline(first.uri, second.uri))
    assert (full["width"], full["height"]) == (1280, 720)


def test_speed_volume_automation_and_an_audio_track_render_to_the_timeline_length(
    setup: Any, tmp_path: Path
) -> None:
    ctx, store, scope = setup
    clip = register_clip(store, scope, tmp_path, "a.mp4", seconds=2)
    music = register_clip(store, scope, tmp_path, "m.mp4", seconds=2)
    timeline = {
        "tracks": [
            {
                "id": "v",
                "clips": [
                    {
                        "id": "fast",
                        "uri": clip.uri,
                        "speed": 2.0,
                        "automation": {
                            "lanes": [
                                {
                                    "parameter": "volume",
                                    "keyframes": [
                                        {"time_s": 0, "value": 0},
                                        {"time_s": 0.5, "value": 1, "interpolation": "ease_in_out"},
                                    ],
                                },
                                {"parameter": "brightness", "keyframes": [{"time_s": 0, "value": 0.2}]},
                            ]
                        },
                    }
                ],
            },
            {"id": "music", "kind": "audio", "clips": [{"id": "m", "uri": music.uri, "start_s": 0.5}]},
        ],
        "output": {"fps": 25},
    }
    result = _render(ctx, timeline)
    # The video track lasts 1 s (2 s at double speed); the music runs on: black fills in.
    expected = describe(
        Timeline.model_validate(timeline), {ref.uri: _recorded(store, scope, ref) for ref in (clip, music)}
    )
    assert expected.duration_s > 2.4
    assert result["frame_count"] == expected.frame_count
    assert abs(float(str(result["duration_s"])) - expected.duration_s) <= 1 / 25
    assert ctx.reports[-1][0] >= 0.95


def test_the_worker_refuses_media_its_own_probe_cannot_read(setup: Any, tmp_path: Path) -> None:
    ctx, store, scope = setup
    whole = write_test_video(tmp_path / "whole.mp4", seconds=1)
    uri = store_raw(store, scope, write_truncated(whole, tmp_path / "cut.mp4"), "video/mp4")
    with pytest.raises(MediaUnreadable) as caught:
        _render(ctx, {"tracks": [{"id": "v", "clips": [{"id": "c", "uri": uri, "source_out_s": 0.5}]}]})
    assert caught.value.value == "c.uri" and "moov" in caught.value.message
    assert list((ctx.settings.data_dir / "work").iterdir()) == []


def _recorded(store: MediaStore, scope: Scope, ref: MediaRef) -> MediaInfo:
    info = store.describe(scope, ref.uri).info
    assert info is not None
    return info
