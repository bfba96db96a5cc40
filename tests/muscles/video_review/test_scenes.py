"""detect_scenes over a real MCP client on colour shots made at test time: every cut within one
frame, the cut between two shots of equal brightness included (which ffmpeg's luma scene score
misses, measured here too), and the stored JSON holding what the call returned."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import anyio

from core.ffmpeg import ffmpeg_binary
from tests.media_samples import EQUAL_LUMA_SHOTS, ffmpeg_running_under, write_colour_shots, write_test_video
from tests.muscles.video_review.conftest import ReviewServer
from tests.muscles.video_review.test_pictures import WAIT_S, call, decoded_frames

FPS = 25
# Shots of 1.0, 0.8, 1.2 and 1.0 s: cuts at 1.0 (red to green, equal luma), 1.8 and 3.0 s.
CUTS_S = [1.0, 1.8, 3.0]


def scdet_scores(path: Path) -> dict[float, float]:
    """ffmpeg's own scene score (scdet, 0-100, default threshold 10) at each frame time."""
    log = subprocess.run(
        [
            ffmpeg_binary(),
            "-hide_banner",
            "-nostats",
            "-i",
            str(path),
            "-vf",
            "scdet=t=0:s=1",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    found = re.findall(r"lavfi\.scd\.score: ([\d.]+), lavfi\.scd\.time: ([\d.]+)", log)
    return {round(float(time), 3): float(score) for score, time in found}


def test_every_cut_is_found_within_a_frame_even_between_shots_of_equal_brightness(
    review_server: ReviewServer,
) -> None:
    server = review_server
    shots = write_colour_shots(server.media / "shots.mp4", fps=FPS)
    # The first cut is invisible to luma: the same mean Y on both sides, and ffmpeg's score
    # there is far below its threshold (while it sees the others).
    frames = decoded_frames(shots, 160, 90).astype(float)
    luma = frames @ [0.299, 0.587, 0.114]
    assert abs(luma[:25].mean() - luma[25:45].mean()) < 1.0
    scdet = scdet_scores(shots)
    assert scdet[1.0] < 1.0 and scdet[1.8] > 10 and scdet[3.0] > 10

    video = server.register(shots)
    is_error, content = call(server, "detect_scenes", {"uri": video.uri})
    assert not is_error, content
    found = [cut["time_s"] for cut in content["cuts"]]
    assert len(found) == len(CUTS_S)
    for time, expected in zip(found, CUTS_S, strict=True):
        assert abs(time - expected) <= 1 / FPS + 1e-9, (found, CUTS_S)
    assert all(cut["score"] >= 0.3 for cut in content["cuts"])
    assert content["scene_count"] == len(EQUAL_LUMA_SHOTS) and content["frame_count"] == 100
    document = content["document"]
    assert document["mime_type"] == "application/json" and document["filename"] == "shots-scenes.json"
    stored = json.loads(server.fetch(document["uri"], "scenes.json").read_text())
    assert stored["cuts"] == content["cuts"]
    assert [scene["start_s"] for scene in stored["scenes"]] == [0.0, *found]
    assert stored["scenes"][-1]["end_s"] == 4.0
    assert server.leftovers() == []


def test_grain_and_motion_inside_a_shot_are_not_cuts(review_server: ReviewServer) -> None:
    server = review_server
    one_shot = write_colour_shots(server.media / "one.mp4", (("0x3366AA", 2.0),), noise=20)
    is_error, content = call(server, "detect_scenes", {"uri": server.register(one_shot).uri})
    assert not is_error, content
    assert content["cuts"] == [] and content["scene_count"] == 1


def test_min_scene_s_drops_cuts_too_close_together(review_server: ReviewServer) -> None:
    server = review_server
    video = server.register(write_colour_shots(server.media / "shots.mp4"))
    is_error, content = call(server, "detect_scenes", {"uri": video.uri, "min_scene_s": 1.0})
    assert not is_error, content
    # 1.8 s is 0.8 s after the cut at 1.0 s: dropped.
    assert [cut["time_s"] for cut in content["cuts"]] == [1.0, 3.0]


def test_cancelling_detect_scenes_stops_ffmpeg_and_stores_nothing(review_server: ReviewServer) -> None:
    server = review_server
    video = server.register(write_test_video(server.media / "long.mp4", seconds=30, size="320x240"))
    before = server.store.list(server.scope)
    running = anyio.Event()

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        running.set()  # the first report comes from inside the frame loop

    async def run() -> None:
        async with server.session() as client:
            async with anyio.create_task_group() as tg:

                async def call() -> None:
                    await client.call_tool("detect_scenes", {"uri": video.uri}, progress_callback=on_progress)

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
