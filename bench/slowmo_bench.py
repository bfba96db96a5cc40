"""video_slowmo against raw ffmpeg and against itself: the ``mci`` preset against the equivalent
hand-typed ``ffmpeg -vf minterpolate=...`` command, and our ``flow`` preset against ``mci``
on the same clip, with both presets' quality on frames whose truth is known.

The clip: a 60 fps picture with real motion (a textured image panned under the window, a
textured disc crossing it the other way; tests/muscles/video_slowmo/motion.py), every other
frame dropped (a lossless 30 fps FFV1 file in media_v2), converted back to 60 fps. Scores are
luma PSNR and SSIM of the interpolated frames against the dropped originals.

- ours: ``call_tool("interpolate", {"fps": 60, "preset": ...})`` through the official MCP
  client (in memory) on the generated server: workspace open, the preset's work, the MP4
  hashed, probed and stored in media_v2.
- anchor: ``ffmpeg -i half.mkv -vf minterpolate=fps=60:mi_mode=mci:mc_mode=aobmc:me_mode=bidir:
  scd=fdiff`` with the same encoder options, writing an MP4 to disk.

Targets: mci / raw ffmpeg <= 1.05 (p50); flow at least 5x faster than mci.

    uv run python bench/slowmo_bench.py [--seconds 1 --width 1280 --height 720 --rounds 3]
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
import numpy as np
from mcp import Client

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._timing import Summary, ratio_line
from core.ffmpeg.frames import FrameReader, FrameWriter
from core.ffmpeg.runner import ffmpeg_binary
from core.media.store import MediaStore
from core.scope import Scope
from core.settings import Settings
from muscles.video.video_slowmo.presets import ENCODER, interpolation_filter
from tests.muscles.video_slowmo.motion import frames_60fps, psnr, ssim

TENANT = "bench"


def _call(module: Any, args: dict[str, Any]) -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        async with Client(module.server) as client:
            result = await client.call_tool("interpolate", args)
        assert not result.is_error and result.structured_content is not None, result.content
        return result.structured_content

    return anyio.run(run)


def _scores(path: Path, truth: list[np.ndarray], width: int, height: int) -> tuple[float, float]:
    with FrameReader(path, width=width, height=height) as reader:
        made = list(reader)
    # raw minterpolate stops a few frames short of the end (it pads nothing): score what it made.
    dropped = range(1, min(len(truth) - 1, len(made)), 2)
    return (
        float(np.mean([psnr(made[i], truth[i]) for i in dropped])),
        float(np.mean([ssim(made[i], truth[i]) for i in dropped])),
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--rounds", type=int, default=3)
    ns = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        settings = Settings(data_dir=tmp / "data", tenant_id=TENANT, signing_key="bench-key")
        store, scope = MediaStore.from_settings(settings), Scope(tenant_id=TENANT)
        truth = frames_60fps(round(ns.seconds * 60) + 1, width=ns.width, height=ns.height)
        half = tmp / "half.mkv"
        with FrameWriter(
            half, width=ns.width, height=ns.height, fps=30, video_args=("-c:v", "ffv1", "-pix_fmt", "bgr0")
        ) as writer:
            for frame in truth[::2]:
                writer.write(frame)
        uri = store.register_staged(scope, store.stage_local(half), "half.mkv").uri
        module = importlib.import_module("muscles.video.video_slowmo.mcp")
        module.runtime.configure(settings)
        anchor_out = tmp / "raw.mp4"
        anchor_argv = [
            ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(half),
            "-vf", interpolation_filter("mci", 60), *ENCODER, str(anchor_out),
        ]  # fmt: skip
        times: dict[str, list[float]] = {"raw": [], "mci": [], "flow": []}
        outputs: dict[str, dict[str, Any]] = {}
        for round_no in range(ns.rounds):
            order = ["raw", "mci", "flow"] if round_no % 2 == 0 else ["flow", "mci", "raw"]
            for side in order:
                started = time.perf_counter()
                if side == "raw":
                    subprocess.run(anchor_argv, check=True)
                else:
                    outputs[side] = _call(module, {"uri": uri, "fps": 60, "preset": side})
                times[side].append(time.perf_counter() - started)
            print(
                f"round {round_no + 1}: " + "  ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()),
                flush=True,
            )
        summaries = {side: Summary.of(samples) for side, samples in times.items()}
        quality = {}
        for side in ("mci", "flow"):
            path = tmp / f"{side}.mp4"
            store.materialize(scope, outputs[side]["media"]["uri"], path)
            quality[side] = _scores(path, truth, ns.width, ns.height)
        quality["raw"] = _scores(anchor_out, truth, ns.width, ns.height)
        anyio.run(module.runtime.stop)
    frames = outputs["mci"]["frame_count"]
    print(
        f"\n{ns.width}x{ns.height}, {len(truth[::2])} frames at 30 fps -> {frames} at 60 fps, {ns.rounds} rounds"
    )
    for side in ("raw", "mci", "flow"):
        db, score = quality[side]
        label = {"raw": "raw ffmpeg", "mci": "ours mci", "flow": "ours flow"}[side]
        print(
            summaries[side].line(label)
            + f"   {frames / (summaries[side].p50 / 1000):6.1f} fps   PSNR {db:.2f} dB  SSIM {score:.4f}"
        )
    print("mci (ours) against raw ffmpeg minterpolate:")
    print(ratio_line(summaries["mci"], summaries["raw"], 1.05))
    speedup = summaries["mci"].p50 / summaries["flow"].p50
    print(
        f"flow against mci: {speedup:.2f}x faster at p50 (target >= 5), PSNR {quality['flow'][0] - quality['mci'][0]:+.2f} dB"
    )


if __name__ == "__main__":
    main()
