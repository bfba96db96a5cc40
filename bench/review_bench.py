"""The director's eye against plain ffmpeg, in one run: speed and what each finds.

- contact_sheet (3 x 3, 320-pixel tiles, timecodes) of a ``--sheet-s`` long 640x360 video
  (default 600 s), against the usual one-liner ``ffmpeg -i in -vf fps=9/D,scale=320:-2,tile=3x3
  -frames:v 1 sheet.png`` (which decodes the whole file; ours seeks to each of the nine frames).
- detect_scenes of 30 colour shots (2 s each, 640x360, grain; the 15 cuts inside pairs change
  hue only, the 14 between pairs change brightness), against ``ffmpeg -vf scdet`` (full-size
  luma score, default threshold 10): wall time, and how many cuts each finds within one frame.
- video_render preview_frames (3 frames) of a 20 s two-clip timeline, against rendering the
  whole MP4 with render: what a look at the work costs next to the render it stands for.

Ours runs through the generated server and an in-memory MCP client (asset opened from
media_v2, output hashed, probed and stored). Rounds interleave anchor and ours after one
warm-up each. Run it with::

    uv run python bench/review_bench.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import importlib
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
from _timing import Summary

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from core.ffmpeg.runner import ffmpeg_binary  # noqa: E402 - needs the repo root on sys.path
from core.media.store import MediaStore  # noqa: E402
from core.scope import Scope  # noqa: E402
from core.settings import Settings  # noqa: E402
from tests.media_samples import write_colour_shots, write_test_video  # noqa: E402

FPS = 25
SHOT_S = 2.0
# Pairs of shots of equal BT.601 luma and different hue (red then green, at Y 102, 47 and 180):
# the cut inside a pair changes only hue, the cut between pairs changes brightness a lot.
_PAIRS = (("0xC83C3C", "0x289128"), ("0x6E1414", "0x0C480C"), ("0xFA9696", "0x82D496"))


def shots_sequence() -> tuple[tuple[str, float], ...]:
    colours: list[str] = []
    for index in range(15):
        colours += list(_PAIRS[index % len(_PAIRS)])
    return tuple((colour, SHOT_S) for colour in colours)


def scdet_cuts(path: Path) -> list[float]:
    log = subprocess.run(
        [ffmpeg_binary(), "-hide_banner", "-nostats", "-i", str(path), "-vf", "scdet", "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    return [float(time) for time in re.findall(r"lavfi\.scd\.time: ([\d.]+)", log)]


def found_within_a_frame(found: list[float], expected: list[float]) -> int:
    return sum(any(abs(time - cut) <= 1 / FPS + 1e-9 for time in found) for cut in expected)


def timed(run: Callable[[], Any]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


async def interleave(
    rounds: int, anchor: Callable[[], Any], ours: Callable[[], Awaitable[Any]]
) -> tuple[Summary, Summary]:
    async def our_time() -> float:
        started = time.perf_counter()
        await ours()
        return time.perf_counter() - started

    await anyio.to_thread.run_sync(anchor)  # warm-up: page cache, imports, fonts
    await ours()
    anchor_s: list[float] = []
    ours_s: list[float] = []
    for round_ in range(rounds):
        if round_ % 2 == 0:
            anchor_s.append(await anyio.to_thread.run_sync(lambda: timed(anchor)))
            ours_s.append(await our_time())
        else:
            ours_s.append(await our_time())
            anchor_s.append(await anyio.to_thread.run_sync(lambda: timed(anchor)))
    return Summary.of(anchor_s), Summary.of(ours_s)


def report(title: str, anchor: Summary, ours: Summary, what: str) -> None:
    print(title)
    print(anchor.line("anchor"))
    print(ours.line("ours"))
    print(
        f"  ratio      p50 {ours.p50 / anchor.p50:8.3f}      mean {ours.mean / anchor.mean:8.3f}"
        f"      (ours / {what}; lower is faster)"
    )


def ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sheet-s", type=int, default=600, help="length of the contact sheet's video")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-review-") as tmp_name:
        tmp = Path(tmp_name)
        long_clip = write_test_video(tmp / "long.mp4", seconds=args.sheet_s, size="640x360", fps=FPS)
        shots = write_colour_shots(tmp / "shots.mp4", shots_sequence(), size="640x360", fps=FPS)
        clips = [write_test_video(tmp / f"clip{n}.mp4", seconds=10, size="640x360", fps=FPS) for n in (1, 2)]
        settings = Settings(data_dir=tmp / "data", tenant_id="bench", signing_key="bench-key")
        store = MediaStore.from_settings(settings)
        scope = Scope(tenant_id="bench")
        uri = {
            path.name: store.register_staged(scope, store.stage_local(path), path.name).uri
            for path in (long_clip, shots, *clips)
        }
        review: Any = importlib.import_module("muscles.video.video_review.mcp")
        render: Any = importlib.import_module("muscles.video.video_render.mcp")
        review.runtime.configure(settings)
        render.runtime.configure(settings)
        expected_cuts = [round(SHOT_S * n, 6) for n in range(1, len(shots_sequence()))]
        timeline = {
            "tracks": [
                {
                    "id": "v",
                    "clips": [
                        {"id": "a", "uri": uri["clip1.mp4"]},
                        {"id": "b", "uri": uri["clip2.mp4"], "start_s": 9.5},
                    ],
                }
            ],
            "transitions": [{"from_clip": "a", "to_clip": "b", "duration_s": 0.5}],
            "output": {"fps": FPS, "preset": "veryfast"},
        }

        async def run() -> dict[str, Any]:
            from mcp import Client

            found: dict[str, Any] = {}
            async with Client(review.server) as eye, Client(render.server) as renderer:

                async def call(client: Any, tool: str, request: dict[str, Any]) -> dict[str, Any]:
                    result = await client.call_tool(tool, request)
                    assert not result.is_error, result.structured_content
                    content: dict[str, Any] = result.structured_content
                    return content

                sheet = interleave(
                    args.rounds,
                    lambda: ffmpeg(
                        "-i",
                        str(long_clip),
                        "-vf",
                        "fps=9/60,scale=320:-2,tile=3x3",
                        "-frames:v",
                        "1",
                        str(tmp / "anchor-sheet.png"),
                    ),
                    lambda: call(eye, "contact_sheet", {"uri": uri["long.mp4"], "tile_width": 320}),
                )
                found["sheet"] = await sheet

                async def scenes() -> None:
                    found["ours_cuts"] = [
                        cut["time_s"]
                        for cut in (await call(eye, "detect_scenes", {"uri": uri["shots.mp4"]}))["cuts"]
                    ]

                found["scenes"] = await interleave(
                    args.rounds, lambda: found.__setitem__("scdet_cuts", scdet_cuts(shots)), scenes
                )

                async def rendered() -> None:
                    await call(renderer, "render", {"timeline": timeline, "filename": "full.mp4"})

                async def previewed() -> None:
                    await call(
                        renderer, "preview_frames", {"timeline": timeline, "times_s": [2.0, 9.75, 17.0]}
                    )

                # The anchor here is our own render: run it on the event loop like ours.
                render_s: list[float] = []
                preview_s: list[float] = []
                await rendered()
                await previewed()
                for round_ in range(args.rounds):
                    order = [(render_s, rendered), (preview_s, previewed)]
                    for samples, step in order if round_ % 2 == 0 else reversed(order):
                        started = time.perf_counter()
                        await step()
                        samples.append(time.perf_counter() - started)
                found["preview"] = (Summary.of(render_s), Summary.of(preview_s))
            await review.runtime.stop()
            await render.runtime.stop()
            return found

        found = anyio.run(run)
        report(f"contact_sheet 3x3 of {args.sheet_s} s 640x360", *found["sheet"], "ffmpeg fps+tile one-liner")
        report(
            f"detect_scenes of {len(expected_cuts) + 1} shots (60 s 640x360)",
            *found["scenes"],
            "ffmpeg scdet",
        )
        for label, cuts in (("scdet", found["scdet_cuts"]), ("ours", found["ours_cuts"])):
            hits = found_within_a_frame(cuts, expected_cuts)
            print(
                f"  {label:<6} found {hits} of {len(expected_cuts)} cuts within a frame ({len(cuts)} reported)"
            )
        report("preview_frames (3 frames) of a 20 s timeline", *found["preview"], "render of the whole MP4")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
