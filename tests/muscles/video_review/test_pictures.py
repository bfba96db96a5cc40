"""thumbnail and contact_sheet over a real MCP client: the frame shown at the asked time,
pixel for pixel; the grid as asked, timecodes burnt in, sizes measured on the stored image."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import anyio
import numpy as np
import numpy.typing as npt

from core.ffmpeg import ffmpeg_binary
from core.media import probe_sync
from tests.media_samples import EQUAL_LUMA_SHOTS, write_colour_shots, write_test_video
from tests.muscles.video_review.conftest import ReviewServer, read_rgb

WAIT_S = 60.0


def call(server: ReviewServer, tool: str, args: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    async def run() -> tuple[bool, dict[str, Any]]:
        async with server.session() as client:
            with anyio.fail_after(WAIT_S):
                result = await client.call_tool(tool, args)
        assert result.structured_content is not None, result.content
        return bool(result.is_error), result.structured_content

    return anyio.run(run)


def decoded_frames(path: Path, width: int, height: int) -> npt.NDArray[np.uint8]:
    """Every frame of a video as RGB (frames x H x W x 3), decoded by ffmpeg."""
    raw = subprocess.run(
        [ffmpeg_binary(), "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, height, width, 3)


def mean_difference(one: npt.NDArray[np.uint8], other: npt.NDArray[np.uint8]) -> float:
    return float(np.abs(one.astype(np.int16) - other.astype(np.int16)).mean())


def test_thumbnail_is_the_frame_on_screen_at_the_time(review_server: ReviewServer) -> None:
    server = review_server
    source = write_test_video(server.media / "moving.mp4", seconds=2, size="320x240", fps=25)
    video = server.register(source)
    is_error, content = call(server, "thumbnail", {"uri": video.uri, "time_s": 0.75})
    assert not is_error, content
    assert (content["frame"], content["time_s"]) == (18, 0.72)  # 0.75 s falls in frame 18 (0.72-0.76)
    image = content["image"]
    assert image["mime_type"] == "image/png" and image["filename"] == "moving-frame18.png"
    stored = server.fetch(image["uri"], "thumb.png")
    info = probe_sync(stored)
    assert (image["width"], image["height"]) == (info.width, info.height) == (320, 240)
    frames = decoded_frames(source, 320, 240)
    picture = read_rgb(stored)
    # PNG is lossless: the same pixels as the decoded frame, and clearly not its neighbours'.
    assert mean_difference(picture, frames[18]) < 0.5
    assert min(mean_difference(picture, frames[17]), mean_difference(picture, frames[19])) > 2.0
    assert server.leftovers() == []


def test_thumbnail_scales_to_a_width_and_writes_jpeg(review_server: ReviewServer) -> None:
    server = review_server
    video = server.register(write_test_video(server.media / "moving.mp4", seconds=1, size="320x240"))
    is_error, content = call(
        server, "thumbnail", {"uri": video.uri, "time_s": 0, "width": 100, "image_format": "jpeg"}
    )
    assert not is_error, content
    image = content["image"]
    assert image["mime_type"] == "image/jpeg" and image["filename"].endswith(".jpg")
    # Fetched without a .jpg suffix: ffmpeg would probe a .jpg as an image sequence.
    info = probe_sync(server.fetch(image["uri"], "thumb-jpeg"))
    assert (image["width"], image["height"]) == (info.width, info.height) == (100, 76)  # 75 rounded to even


def _hex_rgb(colour: str) -> npt.NDArray[np.int16]:
    value = int(colour, 16)
    return np.array([(value >> 16) & 255, (value >> 8) & 255, value & 255], dtype=np.int16)


def test_contact_sheet_has_the_asked_grid_with_the_frames_at_the_asked_times(
    review_server: ReviewServer,
) -> None:
    server = review_server
    video = server.register(write_colour_shots(server.media / "shots.mp4"))  # 160x90, cuts at 1.0, 1.8, 3.0 s
    times = [0.5, 1.2, 2.5, 3.5]
    is_error, content = call(
        server, "contact_sheet", {"uri": video.uri, "rows": 2, "cols": 3, "times_s": times, "tile_width": 80}
    )
    assert not is_error, content
    assert (content["rows"], content["cols"], content["tile_width"], content["tile_height"]) == (2, 3, 80, 45)
    assert content["frames"] == [12, 30, 62, 87] and content["times_s"] == [0.48, 1.2, 2.48, 3.48]
    image = content["image"]
    stored = server.fetch(image["uri"], "sheet.png")
    info = probe_sync(stored)
    # 3 tiles of 80 and 4 gaps of 4 pixels across; 2 tiles of 45 and 3 gaps down.
    assert (image["width"], image["height"]) == (info.width, info.height) == (3 * 80 + 4 * 4, 2 * 45 + 3 * 4)
    sheet = read_rgb(stored).astype(np.int16)
    shot_colours = [EQUAL_LUMA_SHOTS[shot][0] for shot in (0, 1, 2, 3)]
    for tile in range(6):
        row, col = divmod(tile, 3)
        left, top = 4 + col * (80 + 4), 4 + row * (45 + 4)
        upper_right = sheet[top + 2 : top + 12, left + 50 : left + 78].reshape(-1, 3).mean(axis=0)
        timecode = sheet[top + 30 : top + 45, left : left + 60]
        if tile < len(times):
            # The frame's colour (grain aside), and the timecode box over its bottom-left.
            assert np.abs(upper_right - _hex_rgb(shot_colours[tile])).max() < 12, (tile, upper_right)
            assert (timecode.min(axis=2) > 200).sum() > 20  # white text on the dark box
            assert (sheet[top : top + 15, left + 50 : left + 80].min(axis=2) > 200).sum() == 0
        else:
            assert np.abs(upper_right - 0x20).max() < 2  # an empty tile: the sheet's background
    assert server.leftovers() == []


def test_contact_sheet_spreads_frames_evenly_by_default(review_server: ReviewServer) -> None:
    server = review_server
    video = server.register(write_test_video(server.media / "moving.mp4", seconds=2, size="160x120"))
    is_error, content = call(
        server, "contact_sheet", {"uri": video.uri, "rows": 1, "cols": 4, "tile_width": 64}
    )
    assert not is_error, content
    # The middle of each quarter of 2 s at 25 fps: 0.25, 0.75, 1.25 and 1.75 s.
    assert content["frames"] == [6, 18, 31, 43]
    assert (content["image"]["width"], content["image"]["height"]) == (4 * 64 + 5 * 4, 48 + 2 * 4)
