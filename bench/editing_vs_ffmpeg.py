"""An editor's timeline planned by video_render against the hand-written ffmpeg command for it.

Timeline: 10 clips (3 s each from 10 sources, 640x360 25 fps with a tone) joined by nine
0.5 s transitions of different xfade families with acrossfade, and a picture-in-picture layer
(a fifth-size inset, 18 s, with its sound mixed in). Output 640x360 25 fps, libx264 veryfast
CRF 20 + AAC 128k, 25.5 s.

- ours: video_render's plan for the timeline (``plan_render``: ONE ffmpeg command, one graph),
  run as is: the cost of our graph (exact frame counts, runs split per source, fit, pad)
  against a person's. The MCP round trip, storage and checks are measured by
  ``video_render_vs_ffmpeg.py``; captions and a ducked music bed (issue 17's other items) are
  not in this timeline.
- anchor: one hand-written ``ffmpeg`` command doing the same picture and sound work.

Rounds alternate which side goes first; read the p50. Target: ratio <= 1.05.

    uv run python bench/editing_vs_ffmpeg.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._timing import Summary, ratio_line
from core.ffmpeg.runner import ffmpeg_binary
from core.media.probe import probe_sync
from muscles.video.timeline import Timeline, check
from muscles.video.video_render.plan import plan_render
from tests.media_samples import write_test_video

TRANSITIONS = (
    "fade",
    "wipeleft",
    "slideup",
    "circleopen",
    "dissolve",
    "pixelize",
    "radial",
    "zoomin",
    "smoothleft",
)
CLIP_S, FADE_S = 3.0, 0.5
PIP_START, PIP_S = 2.0, 18.0


def _timeline(uris: list[str], pip: str) -> dict[str, Any]:
    step = CLIP_S - FADE_S
    clips = [
        {"id": f"c{k}", "uri": uri, "source_in_s": 0.5, "source_out_s": 0.5 + CLIP_S, "start_s": k * step}
        for k, uri in enumerate(uris)
    ]
    transitions = [
        {"from_clip": f"c{k}", "to_clip": f"c{k + 1}", "duration_s": FADE_S, "transition": name}
        for k, name in enumerate(TRANSITIONS)
    ]
    inset = {"id": "inset", "uri": pip, "source_out_s": PIP_S, "start_s": PIP_START}
    inset["layout"] = {"x": 0.65, "y": 0.05, "width": 0.3}
    return {
        "tracks": [{"id": "video", "clips": clips}, {"id": "pip", "clips": [inset]}],
        "transitions": transitions,
        "output": {"fps": 25, "width": 640, "height": 360, "preset": "veryfast", "crf": 20},
    }


def _anchor_argv(sources: list[Path], pip: Path, out: Path) -> list[str]:
    inputs: list[str] = []
    for source in sources:
        inputs += ["-ss", "0.5", "-t", str(CLIP_S), "-i", str(source)]
    inputs += ["-t", str(PIP_S), "-i", str(pip)]
    chains = []
    for k in range(len(sources)):
        chains.append(f"[{k}:v]fps=25,format=yuv420p,setpts=PTS-STARTPTS[v{k}]")
        chains.append(f"[{k}:a]aresample=48000,asetpts=PTS-STARTPTS[a{k}]")
    picture, sound = "v0", "a0"
    for k, name in enumerate(TRANSITIONS):
        offset = (k + 1) * (CLIP_S - FADE_S)
        chains.append(f"[{picture}][v{k + 1}]xfade=transition={name}:duration={FADE_S}:offset={offset}[x{k}]")
        chains.append(f"[{sound}][a{k + 1}]acrossfade=d={FADE_S}[y{k}]")
        picture, sound = f"x{k}", f"y{k}"
    n = len(sources)
    chains.append(f"[{n}:v]fps=25,scale=192:108,setpts=PTS-STARTPTS+{PIP_START}/TB[p]")
    chains.append(f"[{picture}][p]overlay=x=416:y=18:eof_action=pass[v]")
    delay = int(PIP_START * 1000)
    chains.append(f"[{n}:a]aresample=48000,adelay={delay}|{delay}[pa]")
    chains.append(f"[{sound}][pa]amix=inputs=2:duration=first:normalize=0[a]")
    return [
        ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-y", *inputs,
        "-filter_complex", ";".join(chains), "-map", "[v]", "-map", "[a]",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "128k", "-ac", "2", "-movflags", "+faststart", str(out),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-editing-") as tmp_name:
        tmp = Path(tmp_name)
        sources = [write_test_video(tmp / f"c{k}.mp4", seconds=4, size="640x360", fps=25) for k in range(10)]
        pip = write_test_video(tmp / "pip.mp4", seconds=PIP_S + 1, size="640x360", fps=25)
        uris = [f"atoms://media/{k:032x}/{path.name}" for k, path in enumerate(sources)]
        pip_uri = f"atoms://media/{99:032x}/pip.mp4"
        files = dict(zip(uris, sources, strict=True)) | {pip_uri: pip}
        timeline = Timeline.model_validate(_timeline(uris, pip_uri))
        facts = {uri: probe_sync(path) for uri, path in files.items()}
        check(timeline, facts)
        by_clip = {clip.id: files[clip.uri] for clip in timeline.clips()}
        plan = plan_render(timeline, by_clip, facts, tmp / "ours.mp4", work_dir=tmp, allow_copy=False)
        assert sum(arg == "-filter_complex" for arg in plan.args) == 1
        ours_argv = [ffmpeg_binary(), "-hide_banner", "-loglevel", "error", *plan.args]
        anchor_argv = _anchor_argv(sources, pip, tmp / "anchor.mp4")

        def timed(argv: list[str]) -> float:
            started = time.perf_counter()
            subprocess.run(argv, check=True)
            return time.perf_counter() - started

        ours: list[float] = []
        anchor: list[float] = []
        timed(ours_argv)  # warm the page cache for both
        for index in range(args.rounds):
            first, second = (ours_argv, anchor_argv) if index % 2 else (anchor_argv, ours_argv)
            a, b = timed(first), timed(second)
            ours.append(a if first is ours_argv else b)
            anchor.append(b if first is ours_argv else a)
    ours_summary, anchor_summary = Summary.of(ours), Summary.of(anchor)
    print(
        f"video_render plan vs hand-written ffmpeg (10 clips, 9 transitions, PiP layer, {plan.duration_s} s 360p)"
    )
    print(ours_summary.line("ours"))
    print(anchor_summary.line("ffmpeg"))
    print(ratio_line(ours_summary, anchor_summary, 1.05))


if __name__ == "__main__":
    main()
