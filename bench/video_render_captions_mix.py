"""video_render with captions, a ducked music bed and a loudness target, against the same edit
hand-written as ffmpeg commands.

- ours: ``call_tool("render", ...)`` on the generated video_render server (in memory): the
  analysis run that measures the mix (no picture decoded), then ONE ffmpeg with one graph:
  captions through libass (an ASS script laid out from the SRT, the spoken word lit), the
  music ducked 12 dB under the voice by keyframed gain, loudnorm's linear gain to -16 LUFS;
  then the stored MP4's loudness measured with ebur128.
- anchor: what a person would type for the same edit: pass 1 measures the mix with loudnorm
  (audio only), pass 2 renders with ``subtitles=talk.srt:force_style=...``, the music ducked
  with ``sidechaincompress`` under the voice, and loudnorm fed pass 1's figures. No word
  highlighting and no measurement of the result (so the anchor does less than ours).

Timeline: a 10 s 640x360 25 fps picture, a voice clip from 2 s to 7 s, a 10 s music bed with
a 0.5 s fade in, four SRT cues (one word-timed); libx264 veryfast CRF 20, AAC 128k. Rounds
alternate which side goes first after one warm-up render per worker.

    uv run python bench/video_render_captions_mix.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import importlib
import json
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
from tests.media_samples import write_silent_video, write_tone_wav

SRT = (
    "1\n00:00:00,500 --> 00:00:02,000\nA music bed, then a voice\n\n"
    "2\n00:00:02,000 --> 00:00:04,000\none two three four\n\n"
    "3\n00:00:04,000 --> 00:00:06,500\nÇa marche: 日本語 too\n\n"
    "4\n00:00:07,000 --> 00:00:09,500\nand the music comes back\n"
)
WORDS = [
    {"word": f" {word}", "start": 2.0 + 0.5 * index, "end": 2.4 + 0.5 * index}
    for index, word in enumerate(["one", "two", "three", "four"])
]
TARGET = -16.0


def _timeline(picture: str, voice: str, music: str, srt: str) -> dict[str, Any]:
    return {
        "tracks": [
            {"id": "v", "clips": [{"id": "pic", "uri": picture, "source_out_s": 10.0}]},
            {"id": "voice", "kind": "audio", "role": "voice", "clips": [{"id": "talk", "uri": voice, "source_out_s": 5.0, "start_s": 2.0}]},
            {"id": "bed", "kind": "audio", "role": "music", "clips": [{"id": "song", "uri": music, "source_out_s": 10.0, "sound": {"fade_in_s": 0.5}}]},
        ],
        "captions": [{"id": "subs", "uri": srt, "words": WORDS, "style": {"size_px": 24}}],
        "audio": {
            "ducking": [{"music_track": "bed", "voice_track": "voice", "depth_db": 12.0}],
            "loudness": {"integrated_lufs": TARGET, "true_peak_db": -1.0},
        },
        "output": {"fps": 25, "preset": "veryfast", "crf": 20},
    }  # fmt: skip


_MIX = (
    "[1:a]aresample=48000,aformat=channel_layouts=stereo,adelay=delays=2000:all=1,apad=whole_dur=10[voice];"
    "[2:a]aresample=48000,aformat=channel_layouts=stereo,afade=t=in:d=0.5[bed];"
    "[voice]asplit[vkey][vmix];"
    "[bed][vkey]sidechaincompress=threshold=0.02:ratio=8:attack=20:release=300[ducked];"
    "[vmix][ducked]amix=inputs=2:duration=longest:normalize=0,atrim=end=10"
)


def _anchor(picture: Path, voice: Path, music: Path, srt: Path, out: Path) -> None:
    inputs = ["-i", str(picture), "-i", str(voice), "-i", str(music)]
    quiet = [ffmpeg_binary(), "-hide_banner", "-nostats", "-y"]
    measure = f"{_MIX},loudnorm=I={TARGET}:TP=-1:LRA=11:print_format=json[a]"
    first = subprocess.run(
        [*quiet, *inputs, "-filter_complex", measure, "-map", "[a]", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    report = json.loads(first.stderr[first.stderr.rfind("{") : first.stderr.rfind("}") + 1])
    gain = (
        f"loudnorm=I={TARGET}:TP=-1:LRA=11:measured_I={report['input_i']}:measured_TP={report['input_tp']}"
        f":measured_LRA={report['input_lra']}:measured_thresh={report['input_thresh']}:linear=true,aresample=48000"
    )
    style = "Fontsize=24,PrimaryColour=&H00FFFFFF,OutlineColour=&H00000000,Outline=2,Shadow=1,MarginV=18"
    graph = f"[0:v]subtitles=filename={srt}:force_style='{style}'[v];{_MIX},{gain}[a]"
    subprocess.run(
        [*quiet, "-loglevel", "error", *inputs, "-filter_complex", graph, "-map", "[v]", "-map", "[a]",
         "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", str(out)],
        check=True,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-captions-mix-") as tmp_name:
        tmp = Path(tmp_name)
        settings = Settings(data_dir=tmp / "data", tenant_id="bench", signing_key="bench-key")
        store, scope = MediaStore.from_settings(settings), Scope(tenant_id="bench")
        picture = write_silent_video(tmp / "pic.mp4", seconds=10, size="640x360")
        voice = write_tone_wav(tmp / "voice.wav", seconds=5, rate=48000, freq=1000.0)
        music = write_tone_wav(tmp / "music.wav", seconds=10, rate=48000, freq=220.0)
        srt = tmp / "talk.srt"
        srt.write_text(SRT, encoding="utf-8")
        uris = [
            store.register_staged(scope, store.stage_local(p), p.name).uri for p in (picture, voice, music)
        ]
        srt_uri = store.store_document(scope, store.stage_local(srt), "talk.srt", "application/x-subrip").uri
        srt.write_text(SRT, encoding="utf-8")  # store_document consumed the staged copy
        timeline = _timeline(*uris, srt_uri)
        module = importlib.import_module("muscles.video.video_render.mcp")
        module.runtime.configure(settings)

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
                    _anchor(picture, voice, music, srt, tmp / f"anchor-{index}.mp4")
                    return time.perf_counter() - started

                async with anyio.create_task_group() as warmups:
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
    print("video_render: captions + ducked music + loudness target vs hand-written ffmpeg (two passes each)")
    print(ours_summary.line("ours"))
    print(anchor_summary.line("ffmpeg"))
    print(ratio_line(ours_summary, anchor_summary, 1.05))


if __name__ == "__main__":
    main()
