"""A 1,000-clip timeline cut from 10 sources: video_render's plan against pre-trimmed segments
joined by the concat demuxer, the way a person would script it without a timeline tool.

- ours: the ffmpeg command video_render's plan builds for the timeline (one input per source
  read forwards, split and trimmed inside one graph, one concat), run once.
- anchor: one ``ffmpeg -ss IN -t LEN -i SOURCE`` re-encode per clip into a segment file (the
  same size, rate and codecs), then ``ffmpeg -f concat -i list.txt -c copy``.
- before: the per-clip plan video_render used to build (one input, so one demuxer and one
  decoder, per clip), emulated by giving every clip its own uri; run on the first ``--before``
  clips only, as a full run needs one decoder per clip (about 20 MB each).

Peak memory is each ffmpeg process's own maximum resident set (``wait4``'s ru_maxrss; for the
anchor, the largest of its 1,001 processes); wall time is the whole side; CPU time is user +
system of every ffmpeg process (the steadier figure on a shared machine). Clips are 0.5 s at
320x180, 25 fps, veryfast CRF 20 with 48 kHz stereo AAC, each source read forwards in steps.

    uv run python bench/render_many_clips.py [--clips 1000] [--sources 10] [--before 100]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.ffmpeg._inputs import harden_inputs
from core.ffmpeg.runner import ffmpeg_binary
from core.media import probe_sync
from muscles.video.timeline import Timeline
from muscles.video.video_render.plan import plan_render

CUT_S = 0.5
SIZE = (320, 180)


def _source(path: Path, seconds: float, hue: int) -> Path:
    subprocess.run(
        [
            ffmpeg_binary(),
            *("-hide_banner", "-loglevel", "error", "-y"),
            *(
                "-f",
                "lavfi",
                "-i",
                f"testsrc2=size={SIZE[0]}x{SIZE[1]}:rate=25:duration={seconds},hue=h={hue}",
            ),
            *("-f", "lavfi", "-i", f"sine=frequency={220 + 40 * hue % 400}:duration={seconds}"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"),
            *("-ar", "48000", "-shortest", str(path)),
        ],
        check=True,
    )
    return path


def _timeline(uris: list[str], clips: int, *, own_uri: bool = False) -> dict[str, Any]:
    """``clips`` cuts taken from the sources in turn, each source read forwards."""
    entries = []
    for index in range(clips):
        source, step = index % len(uris), index // len(uris)
        uri = uris[source] if not own_uri else f"{uris[source]}#{index}"
        entries.append(
            {
                "id": f"c{index}",
                "uri": uri,
                "source_in_s": round(step * CUT_S, 3),
                "source_out_s": round(step * CUT_S + CUT_S, 3),
                "start_s": round(index * CUT_S, 3),
            }
        )
    output = {"fps": 25, "width": SIZE[0], "height": SIZE[1]}
    return {"tracks": [{"id": "v", "clips": entries}], "output": output}


def _run(argv: list[str]) -> tuple[float, int, float]:
    """(wall seconds, peak resident KiB, CPU seconds) of one ffmpeg process."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdin=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"ffmpeg failed ({process.returncode}): {' '.join(argv[:12])} ...")
    return time.perf_counter() - started, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def _ours(
    timeline: dict[str, Any], files: dict[str, Path], facts: dict[str, Any], work: Path
) -> tuple[float, int, int]:
    model = Timeline.model_validate(timeline)
    sources = {clip.id: files[clip.uri.split("#")[0]] for clip in model.clips()}
    known = {clip.uri: facts[clip.uri.split("#")[0]] for clip in model.clips()}
    plan = plan_render(model, sources, known, work / "ours.mp4", work_dir=work)
    for path, text in plan.text_files.items():
        path.write_text(text, encoding="utf-8")
    argv = [ffmpeg_binary(), "-hide_banner", "-nostdin", "-loglevel", "error", *harden_inputs(plan.args)]
    wall, peak, cpu = _run(argv)
    return wall, peak, cpu, plan.decoders


def _anchor(timeline: dict[str, Any], files: dict[str, Path], work: Path) -> tuple[float, int, float]:
    started = time.perf_counter()
    peak, cpu = 0, 0.0
    listing = []
    for clip in timeline["tracks"][0]["clips"]:
        segment = work / f"seg-{clip['id']}.mp4"
        argv = [
            ffmpeg_binary(),
            *("-hide_banner", "-nostdin", "-loglevel", "error", "-y"),
            *("-ss", str(clip["source_in_s"]), "-t", str(CUT_S), "-i", str(files[clip["uri"]])),
            *("-vf", f"fps=25,scale={SIZE[0]}:{SIZE[1]}", "-c:v", "libx264", "-preset", "veryfast"),
            *("-crf", "20", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-ac", "2"),
            str(segment),
        ]
        _, used, spent = _run(argv)
        peak, cpu = max(peak, used), cpu + spent
        listing.append(f"file '{segment}'")
    (work / "list.txt").write_text("\n".join(listing) + "\n")
    argv = [
        ffmpeg_binary(),
        *("-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0"),
        *("-i", str(work / "list.txt"), "-c", "copy", "-movflags", "+faststart", str(work / "anchor.mp4")),
    ]
    _, used, spent = _run(argv)
    return time.perf_counter() - started, max(peak, used), cpu + spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=1000)
    parser.add_argument("--sources", type=int, default=10)
    parser.add_argument("--before", type=int, default=100, help="clips for the per-clip plan (0: skip)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-clips-") as tmp:
        work = Path(tmp)
        seconds = (args.clips // args.sources + 1) * CUT_S + 1
        files = {
            f"atoms://media/{n:032x}/s{n}.mp4": _source(work / f"s{n}.mp4", seconds, n * 36)
            for n in range(args.sources)
        }
        facts = {uri: probe_sync(path) for uri, path in files.items()}
        timeline = _timeline(list(files), args.clips)
        print(
            f"{args.clips} clips of {CUT_S} s from {args.sources} sources of {seconds} s ({SIZE[0]}x{SIZE[1]})"
        )
        ours = _ours(timeline, files, facts, work)
        print(_line("ours", ours[:3], f"{ours[3]} decoders"))
        anchor = _anchor(timeline, files, work)
        print(_line("anchor", anchor, f"{args.clips} segments + concat"))
        print(_ratios(ours[:3], anchor, "ours / anchor"))
        if args.before:
            now = _ours(_timeline(list(files), args.before), files, facts, work)
            then = _ours(_timeline(list(files), args.before, own_uri=True), files, facts, work)
            print(f"{args.before} clips, the same plan against the per-clip plan it replaced:")
            print(_line("per-clip", then[:3], f"{then[3]} decoders"))
            print(_line("ours", now[:3], f"{now[3]} decoders"))
            print(_ratios(now[:3], then[:3], "ours / per-clip"))


def _line(label: str, figures: tuple[float, int, float], note: str) -> str:
    wall, peak, cpu = figures
    return f"  {label:<8} wall {wall:8.1f} s   cpu {cpu:8.1f} s   peak {peak / 1024:8.1f} MiB   ({note})"


def _ratios(ours: tuple[float, int, float], anchor: tuple[float, int, float], what: str) -> str:
    return (
        f"  ratio    wall {ours[0] / anchor[0]:6.3f}   cpu {ours[2] / anchor[2]:6.3f}   "
        f"peak memory {ours[1] / anchor[1]:6.3f}   ({what})"
    )


if __name__ == "__main__":
    main()
