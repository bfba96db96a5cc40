"""Interpolation against ground truth: a 60 fps clip with real motion (a panned texture and a
disc crossing it) loses every other frame; each preset puts them back and is scored on the
frames that were dropped (PSNR and SSIM against the originals)."""

from __future__ import annotations

import numpy as np
import pytest

from core.ffmpeg.frames import FrameReader, FrameWriter

from .conftest import VideoServers
from .motion import HEIGHT, WIDTH, frames_60fps, psnr, ssim

LOSSLESS = ("-c:v", "ffv1", "-pix_fmt", "bgr0")
FRAMES = 61  # 60 fps; the 31 even ones make the 30 fps clip


@pytest.fixture
def scores(servers: VideoServers) -> dict[str, tuple[float, float]]:
    truth = frames_60fps(FRAMES)
    half = servers.media / "half.mkv"
    with FrameWriter(half, width=WIDTH, height=HEIGHT, fps=30, video_args=LOSSLESS) as writer:
        for frame in truth[::2]:
            writer.write(frame)
    uri = servers.register(half)
    found = {}
    for preset in ("fast", "mci", "flow"):
        is_error, result = servers.call(
            "video_slowmo", "interpolate", {"uri": uri, "fps": 60, "preset": preset}
        )
        assert not is_error, result
        assert (result["fps"], result["frame_count"]) == (60.0, 62), result
        with FrameReader(
            servers.fetch(result["media"]["uri"], f"{preset}.mp4"), width=WIDTH, height=HEIGHT
        ) as reader:
            made = list(reader)
        assert len(made) == 62
        dropped = range(1, FRAMES - 1, 2)  # the last output frame holds the last source frame
        found[preset] = (
            float(np.mean([psnr(made[i], truth[i]) for i in dropped])),
            float(np.mean([ssim(made[i], truth[i]) for i in dropped])),
        )
    print("PSNR dB / SSIM on the dropped frames:", found)
    return found


def test_flow_matches_or_beats_ffmpeg_motion_compensation_and_far_beats_blending(
    scores: dict[str, tuple[float, float]],
) -> None:
    (fast_db, fast_ssim), (mci_db, mci_ssim), (flow_db, flow_ssim) = (
        scores["fast"],
        scores["mci"],
        scores["flow"],
    )
    assert flow_db >= mci_db - 0.5, scores
    assert flow_db >= fast_db + 6.0, scores
    assert flow_ssim >= mci_ssim - 0.01 and flow_ssim > fast_ssim + 0.05, scores
    assert mci_db > fast_db  # the scoring itself tells motion compensation from blending
