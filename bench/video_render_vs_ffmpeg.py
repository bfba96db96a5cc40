"""video_render's blocking ``render`` tool against the hand-written ffmpeg command for the same timeline.

- ours: ``call_tool("render", ...)`` through the official MCP client (in memory) on the generated
  video_render server: pre-check against media_v2 metadata, a job on the embedded Dask
  LocalCluster, inputs hard-linked out of local storage and described by the probe recorded
  at their registration, ONE ffmpeg, the MP4 hashed once, probed and renamed into media_v2.
- anchor: one hand-written ``ffmpeg`` command (below) doing the same picture and sound work
  on the same source files, writing an MP4 to disk: what a person would type. It writes what
  the render writes: 1280x720 25 fps H.264 and 48 kHz stereo AAC (the sources are mono; a
  timeline's mix is always stereo, so the anchor upmixes with ``-ac 2`` too).

Timeline: two 1280x720 30 fps clips (5 s each, a 1 s crossfade between them, the first
trimmed), a caption, output 1280x720 25 fps libx264 veryfast CRF 20 + AAC 128k. The engine is
warmed with one render per Dask worker first (each worker imports the render code and asks
fontconfig for a font once); then rounds alternate which side goes first. Target: ratio <= 1.05.
The machine's noise easily moves one round by 10%: use several rounds and read the p50.

    uv run python bench/video_render_vs_ffmpeg.py [--rounds 5]
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
from mcp import Client

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._timing import Summary, ratio_line
from core.ffmpeg.runner import ffmpeg_binary
from core.media.store import MediaStore
from core.scope import Scope
from core.settings import Settings
from tests.media_samples import write_test_video

CAPTION = "Bench take"


def _timeline(first: str, second: str) -> dict[str, Any]:
    return {
        "tracks": [
            {
                "id": "video",
                "clips": [
                    {"id": "a", "uri": first, "source_in_s": 0.5, "source_out_s": 5.0},
                    {"id": "b", "uri": second, "source_in_s": 0.0, "source_out_s": 5.0, "start_s": 3.5},
                ],
            }
        ],
        "transitions": [{"from_clip": "a", "to_clip": "b", "duration_s": 1.0}],
        "overlays": [{"id": "t", "text": CAPTION, "start_s": 0.5, "end_s": 4.0}],
        "output": {"fps": 25, "width": 1280, "height": 720, "preset": "veryfast", "crf": 20},
    }


def _anchor_argv(first: Path, second: Path, caption: Path, font: str, out: Path) -> list[str]:
    """The command a person would write for that timeline (4.5 s + 5 s, 1 s crossfade = 8.5 s)."""
    graph = (
        "[0:v]setpts=PTS-STARTPTS,scale=1280:720,fps=25,format=yuv420p[v0];"
        "[1:v]setpts=PTS-STARTPTS,scale=1280:720,fps=25,format=yuv420p[v1];"
        "[v0][v1]xfade=transition=fade:duration=1:offset=3.5,"
        f"drawtext=fontfile={font}:textfile={caption}:fontsize=32:fontcolor=white:x=(w-text_w)/2:"
        "y=h-text_h-h/12:box=1:boxcolor=black@0.5:boxborderw=10:enable='between(t,0.5,4)'[v];"
        "[0:a]asetpts=PTS-STARTPTS,aresample=48000[a0];[1:a]asetpts=PTS-STARTPTS,aresample=48000[a1];"
        "[a0][a1]acrossfade=d=1[a]"
    )
    return [
        ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-y",
        "-ss", "0.5", "-t", "4.5", "-i", str(first), "-t", "5", "-i", str(second),
        "-filter_complex", graph, "-map", "[v]", "-map", "[a]",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "128k", "-ac", "2", "-movflags", "+faststart", str(out),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-render-") as tmp_name:
        tmp = Path(tmp_name)
        settings = Settings(data_dir=tmp / "data", tenant_id="bench", signing_key="bench-key")
        store, scope = MediaStore.from_settings(settings), Scope(tenant_id="bench")
        sources = [write_test_video(tmp / f"{n}.mp4", seconds=5, size="1280x720", fps=30) for n in ("a", "b")]
        refs = [store.register_staged(scope, store.stage_local(p), p.name) for p in sources]
        caption = tmp / "caption.txt"
        caption.write_text(CAPTION)
        font = subprocess.run(["fc-match", "-f", "%{file}", "sans"], capture_output=True, text=True).stdout
        module = importlib.import_module("muscles.video.video_render.mcp")
        module.runtime.configure(settings)
        timeline = _timeline(refs[0].uri, refs[1].uri)

        async def run() -> tuple[list[float], list[float]]:
            ours: list[float] = []
            anchor: list[float] = []
            async with Client(module.server) as client:

                async def render(name: str) -> float:
                    started = time.perf_counter()
                    result = await client.call_tool("render", {"timeline": timeline, "filename": name})
                    elapsed = time.perf_counter() - started
                    assert not result.is_error, result.structured_content
                    return elapsed

                def hand_written(index: int) -> float:
                    started = time.perf_counter()
                    argv = _anchor_argv(sources[0], sources[1], caption, font, tmp / f"anchor-{index}.mp4")
                    subprocess.run(argv, check=True)
                    return time.perf_counter() - started

                async with anyio.create_task_group() as warmups:
                    # At once, so that every worker gets one (one after another may all land on one).
                    for worker in range(settings.dask_workers):
                        warmups.start_soon(render, f"warmup-{worker}.mp4")
                for index in range(args.rounds):
                    if index % 2:
                        ours.append(await render(f"r{index}.mp4"))
                        anchor.append(await anyio.to_thread.run_sync(hand_written, index))
                    else:
                        anchor.append(await anyio.to_thread.run_sync(hand_written, index))
                        ours.append(await render(f"r{index}.mp4"))
            await module.runtime.stop()
            return ours, anchor

        ours, anchor = anyio.run(run)
    ours_summary, anchor_summary = Summary.of(ours), Summary.of(anchor)
    print("video_render render vs hand-written ffmpeg (8.5 s 720p timeline, crossfade + caption)")
    print(ours_summary.line("ours"))
    print(anchor_summary.line("ffmpeg"))
    print(ratio_line(ours_summary, anchor_summary, 1.05))


if __name__ == "__main__":
    main()
