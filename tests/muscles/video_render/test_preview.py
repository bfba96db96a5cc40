"""preview_frames: the render's own graph, stopped at the last asked frame, equals the full
render frame for frame; bad times are refused with codes and leave nothing behind."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import anyio
import numpy as np
import numpy.typing as npt

from core.ffmpeg import ffmpeg_binary
from core.media import probe_sync
from muscles.video.timeline import Timeline
from muscles.video.video_render.plan import plan_render
from muscles.video.video_render.preview import preview_args
from tests.media_samples import write_test_video
from tests.muscles.video_render.conftest import RenderServer
from tests.muscles.video_render.media import crossfade_timeline, register_clip

WAIT_S = 120.0
# The full render is x264 at CRF 0 (lossless YUV 4:2:0), so the preview holds the same YUV and
# the same RGB conversion of it: measured identical (0 levels apart); 1 level is allowed for
# a conversion that rounds differently elsewhere. (Against a lossy render the difference is
# the encoder's: 1.05 to 1.93 levels on average over these frames at CRF 20.)
MAX_LEVELS = 1
MAX_MEAN = 0.1


def _rgb_frames(path: Path, width: int, height: int) -> npt.NDArray[np.uint8]:
    raw = subprocess.run(
        [ffmpeg_binary(), "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, height, width, 3)


async def _call(client: Any, tool: str, args: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    with anyio.fail_after(WAIT_S):
        result = await client.call_tool(tool, args)
    assert result.structured_content is not None, result.content
    return bool(result.is_error), result.structured_content


def _difference(one: npt.NDArray[np.uint8], other: npt.NDArray[np.uint8]) -> tuple[int, float]:
    delta = np.abs(one.astype(np.int16) - other.astype(np.int16))
    return int(delta.max()), float(delta.mean())


def test_preview_frames_equal_the_full_renders_frames_at_the_same_times(render_server: RenderServer) -> None:
    server = render_server
    first = register_clip(server.store, server.scope, server.media, "a.mp4", seconds=2)
    second = register_clip(
        server.store, server.scope, server.media, "b.mp4", seconds=2, size="640x360", fps=30
    )
    # A crossfade from 1.1 to 1.6 s, text from 0.2 to 1.5 s, a 640x360 clip letterboxed into 320x240.
    timeline = crossfade_timeline(first.uri, second.uri, crf=0, preset="ultrafast")
    times = [2.5, 0.1, 1.3, 1.3, 0.99, 1.55, 2.59]  # unsorted, one repeated, the last frame

    async def run() -> tuple[dict[str, Any], dict[str, Any]]:
        async with server.session() as client:
            is_error, rendered = await _call(client, "render", {"timeline": timeline})
            assert not is_error, rendered
            is_error, previewed = await _call(
                client, "preview_frames", {"timeline": timeline, "times_s": times}
            )
            assert not is_error, previewed
        return rendered, previewed

    rendered, previewed = anyio.run(run)
    render_path = server.settings.data_dir / "full.mp4"
    server.store.materialize(server.scope, rendered["media"]["uri"], render_path)
    full = _rgb_frames(render_path, 320, 240)
    assert len(full) == rendered["frame_count"] == previewed["frame_count"] == 65
    assert [frame["frame"] for frame in previewed["frames"]] == [62, 2, 32, 32, 24, 38, 64]
    assert [frame["time_s"] for frame in previewed["frames"]] == times
    for index, item in enumerate(previewed["frames"]):
        image = item["image"]
        assert image["mime_type"] == "image/png" and (image["width"], image["height"]) == (320, 240)
        path = server.settings.data_dir / f"preview-{index}.png"
        server.store.materialize(server.scope, image["uri"], path)
        info = probe_sync(path)
        assert (info.width, info.height) == (320, 240)
        picture = _rgb_frames(path, 320, 240)[0]
        frame = item["frame"]
        worst, mean = _difference(picture, full[frame])
        assert worst <= MAX_LEVELS and mean <= MAX_MEAN, (frame, worst, mean)
        # ... and it is that frame, not a neighbour (testsrc2 moves every frame).
        neighbours = [full[n] for n in (frame - 1, frame + 1) if 0 <= n < len(full)]
        assert all(_difference(picture, other)[1] > 2.0 for other in neighbours), frame
    # A repeated time is one stored image.
    assert previewed["frames"][2]["image"]["uri"] == previewed["frames"][3]["image"]["uri"]
    assert server.leftovers() == []


def test_a_preview_runs_the_renders_graph_and_encodes_no_video(tmp_path: Path) -> None:
    files = {
        f"atoms://media/{n:032x}/{name}": write_test_video(tmp_path / name, seconds=2)
        for n, name in enumerate(("a.mp4", "b.mp4"))
    }
    timeline = Timeline.model_validate(crossfade_timeline(*files))
    facts = {uri: probe_sync(path) for uri, path in files.items()}
    sources = {clip.id: files[clip.uri] for clip in timeline.clips()}
    plan = plan_render(timeline, sources, facts, tmp_path / "out.mp4", work_dir=tmp_path, allow_copy=False)
    args = preview_args(plan, [3, 40], tmp_path / "preview-%03d.png")
    at, render_at = args.index("-filter_complex"), plan.args.index("-filter_complex")
    assert args[:at] == plan.args[:render_at]  # the render's inputs
    assert args[at + 1].startswith(plan.args[render_at + 1] + ";")  # its graph, then the selection
    assert args.count("-filter_complex") == 1 and "libx264" not in args and "-c:a" not in args
    assert args[args.index("-frames:v") + 1] == "2"  # ffmpeg stops after the last asked frame


def test_bad_times_are_refused_with_codes_and_leave_nothing(render_server: RenderServer) -> None:
    server = render_server
    first = register_clip(server.store, server.scope, server.media, "a.mp4", seconds=2)
    second = register_clip(server.store, server.scope, server.media, "b.mp4", seconds=2)
    timeline = crossfade_timeline(first.uri, second.uri)  # 2.6 s
    cases = [
        ([2.6], "time_out_of_range", 2.6),
        ([0.5, 30], "time_out_of_range", 30),
        ([-0.1], "time_out_of_range", -0.1),
        ([], "invalid_input", 0),
        ([0.1] * 101, "invalid_input", 101),
    ]
    before = server.store.list(server.scope)

    async def run() -> list[dict[str, Any]]:
        errors = []
        async with server.session() as client:
            for times, _, _ in cases:
                is_error, content = await _call(
                    client, "preview_frames", {"timeline": timeline, "times_s": times}
                )
                assert is_error, content
                errors.append(content["error"])
        return errors

    for (_, code, value), error in zip(cases, anyio.run(run), strict=True):
        assert (error["code"], error["value"]) == (code, value) and error["hint"]
    assert server.store.list(server.scope) == before
    assert server.leftovers() == []
